-- CreateIndex
CREATE INDEX "Obligation_dueAt_unitId_ruleCode_status_late_idx" ON "Obligation"("dueAt", "unitId", "ruleCode", "status", "late");
