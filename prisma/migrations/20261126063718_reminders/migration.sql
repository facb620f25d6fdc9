-- AlterTable
ALTER TABLE "Obligation" ADD COLUMN     "remindersPlannedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Reminder" ADD COLUMN     "digestId" INTEGER;

-- CreateTable
CREATE TABLE "ReminderDigest" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'duty',
    "recipientId" INTEGER NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "status" "ReminderStatus" NOT NULL DEFAULT 'CLAIMED',
    "claimedAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "messageId" TEXT,
    "urgentAt" TIMESTAMP(3),
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReminderDigest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReminderDigest_status_claimedAt_idx" ON "ReminderDigest"("status", "claimedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReminderDigest_recipientId_day_kind_key" ON "ReminderDigest"("recipientId", "day", "kind");

-- CreateIndex
CREATE INDEX "Obligation_remindersPlannedAt_idx" ON "Obligation"("remindersPlannedAt");

-- CreateIndex
CREATE INDEX "Reminder_digestId_idx" ON "Reminder"("digestId");

-- CreateIndex
CREATE INDEX "Reminder_messageId_idx" ON "Reminder"("messageId");

-- AddForeignKey
ALTER TABLE "Reminder" ADD CONSTRAINT "Reminder_digestId_fkey" FOREIGN KEY ("digestId") REFERENCES "ReminderDigest"("id") ON DELETE SET NULL ON UPDATE CASCADE;
