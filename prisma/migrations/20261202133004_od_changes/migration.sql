-- CreateEnum
CREATE TYPE "ChangeStatus" AS ENUM ('PENDING', 'APPLIED', 'CANCELLED');

-- CreateTable
CREATE TABLE "PendingChange" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "file" BYTEA,
    "fileName" TEXT,
    "createdBy" TEXT NOT NULL,
    "status" "ChangeStatus" NOT NULL DEFAULT 'PENDING',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "result" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CalendarSchedule" (
    "id" SERIAL NOT NULL,
    "year" INTEGER NOT NULL,
    "holidays" JSONB NOT NULL,
    "workdays" TEXT[],
    "changeId" INTEGER,
    "enteredBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CalendarSchedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogVersion" (
    "version" SERIAL NOT NULL,
    "text" TEXT NOT NULL,
    "changeId" INTEGER,
    "changedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogVersion_pkey" PRIMARY KEY ("version")
);

-- CreateIndex
CREATE INDEX "PendingChange_createdBy_status_idx" ON "PendingChange"("createdBy", "status");

-- CreateIndex
CREATE UNIQUE INDEX "CalendarSchedule_changeId_key" ON "CalendarSchedule"("changeId");

-- CreateIndex
CREATE INDEX "CalendarSchedule_year_idx" ON "CalendarSchedule"("year");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogVersion_changeId_key" ON "CatalogVersion"("changeId");
