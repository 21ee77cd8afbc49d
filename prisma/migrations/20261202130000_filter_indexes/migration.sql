-- History filters (issue 10): indexes for the selective `==` filters, which walk them in id
-- order (an index on one column keeps its entries in rowid order within a value). Measured
-- on 1,000,000 rows (bench/history.bench.ts): status == timeout 20 ms -> 3 ms a page. busId
-- gets none (a handful of buses: walking the id order is as fast). See server/traffic/filter/sql.ts.
-- CreateIndex
CREATE INDEX "Exchange_status_idx" ON "Exchange"("status");

-- CreateIndex
CREATE INDEX "Exchange_user_idx" ON "Exchange"("user");

-- CreateIndex
CREATE INDEX "Exchange_handlerId_idx" ON "Exchange"("handlerId");
