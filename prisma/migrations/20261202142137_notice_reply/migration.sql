-- AlterTable
ALTER TABLE "NoticeRecipient" ADD COLUMN     "repliedAt" TIMESTAMP(3),
ADD COLUMN     "reply" TEXT;
