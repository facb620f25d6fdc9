-- CreateEnum
CREATE TYPE "InspectionMethod" AS ENUM ('UNANNOUNCED', 'RANDOM_VISIT', 'SPECIAL');

-- CreateEnum
CREATE TYPE "ReviewDecision" AS ENUM ('ACCEPT', 'RETURN');

-- AlterEnum
ALTER TYPE "ObligationStatus" ADD VALUE 'SUBMITTED';

-- CreateTable
CREATE TABLE "Inspection" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "inspectorId" INTEGER NOT NULL,
    "method" "InspectionMethod" NOT NULL,
    "inspectedOn" TIMESTAMP(3) NOT NULL,
    "deadline" TIMESTAMP(3) NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Inspection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InspectionFinding" (
    "id" SERIAL NOT NULL,
    "inspectionId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "obligationId" INTEGER,

    CONSTRAINT "InspectionFinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ObligationReview" (
    "id" SERIAL NOT NULL,
    "obligationId" INTEGER NOT NULL,
    "reviewerId" INTEGER NOT NULL,
    "decision" "ReviewDecision" NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "sourceKey" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ObligationReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeakOrgRectification" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "liftedAt" TIMESTAMP(3),
    "liftedById" INTEGER,
    "liftNote" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WeakOrgRectification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Inspection_sourceKey_key" ON "Inspection"("sourceKey");

-- CreateIndex
CREATE INDEX "Inspection_unitId_idx" ON "Inspection"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionFinding_obligationId_key" ON "InspectionFinding"("obligationId");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionFinding_inspectionId_seq_key" ON "InspectionFinding"("inspectionId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "ObligationReview_sourceKey_key" ON "ObligationReview"("sourceKey");

-- CreateIndex
CREATE INDEX "ObligationReview_obligationId_idx" ON "ObligationReview"("obligationId");

-- CreateIndex
CREATE INDEX "WeakOrgRectification_liftedAt_idx" ON "WeakOrgRectification"("liftedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WeakOrgRectification_orgId_since_key" ON "WeakOrgRectification"("orgId", "since");

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_inspectorId_fkey" FOREIGN KEY ("inspectorId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionFinding" ADD CONSTRAINT "InspectionFinding_inspectionId_fkey" FOREIGN KEY ("inspectionId") REFERENCES "Inspection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionFinding" ADD CONSTRAINT "InspectionFinding_obligationId_fkey" FOREIGN KEY ("obligationId") REFERENCES "Obligation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ObligationReview" ADD CONSTRAINT "ObligationReview_obligationId_fkey" FOREIGN KEY ("obligationId") REFERENCES "Obligation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ObligationReview" ADD CONSTRAINT "ObligationReview_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeakOrgRectification" ADD CONSTRAINT "WeakOrgRectification_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "GrassrootsOrg"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
