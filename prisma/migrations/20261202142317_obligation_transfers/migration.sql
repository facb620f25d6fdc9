-- CreateTable
CREATE TABLE "ObligationTransfer" (
    "id" SERIAL NOT NULL,
    "obligationId" INTEGER NOT NULL,
    "fromPersonId" INTEGER NOT NULL,
    "toPersonId" INTEGER,
    "reason" TEXT NOT NULL,
    "changeId" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ObligationTransfer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ObligationTransfer_fromPersonId_idx" ON "ObligationTransfer"("fromPersonId");

-- CreateIndex
CREATE UNIQUE INDEX "ObligationTransfer_obligationId_changeId_key" ON "ObligationTransfer"("obligationId", "changeId");
