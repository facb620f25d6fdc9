-- CreateEnum
CREATE TYPE "EvidenceStatus" AS ENUM ('STORED', 'PENDING', 'FAILED');

-- AlterTable
ALTER TABLE "Evidence" ADD COLUMN     "error" TEXT,
ADD COLUMN     "messageId" TEXT,
ADD COLUMN     "status" "EvidenceStatus" NOT NULL DEFAULT 'STORED',
ALTER COLUMN "data" DROP NOT NULL;
