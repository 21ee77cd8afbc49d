-- CreateTable
CREATE TABLE "FleetNode" (
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "buses" JSONB NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,
    "shippedExchangeId" INTEGER NOT NULL DEFAULT 0,
    "shippedAuditId" INTEGER NOT NULL DEFAULT 0,
    "shippedConsoleId" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "FleetNode_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "FleetExchange" (
    "node" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "busId" TEXT NOT NULL,
    "busKind" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "seq" INTEGER,
    "netFn" INTEGER,
    "lun" INTEGER,
    "cmd" INTEGER,
    "request" BYTEA NOT NULL,
    "cc" INTEGER,
    "response" BYTEA,
    "handlerId" TEXT,
    "status" TEXT NOT NULL,
    "receivedAt" DOUBLE PRECISION NOT NULL,
    "answeredAt" DOUBLE PRECISION,
    "latencyUs" INTEGER,
    "note" TEXT,
    "frame" BYTEA,
    "responseFrame" BYTEA,
    "relatedId" INTEGER,
    "ruleId" INTEGER,
    "payload" TEXT,
    "peer" TEXT,
    "user" TEXT,
    "privilege" TEXT,
    "sessionId" INTEGER,

    CONSTRAINT "FleetExchange_pkey" PRIMARY KEY ("node","id")
);

-- CreateTable
CREATE TABLE "FleetAudit" (
    "node" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "at" DOUBLE PRECISION NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT,

    CONSTRAINT "FleetAudit_pkey" PRIMARY KEY ("node","id")
);

-- CreateTable
CREATE TABLE "FleetConsoleChunk" (
    "node" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "receivedAt" DOUBLE PRECISION NOT NULL,
    "direction" TEXT NOT NULL,
    "source" TEXT,
    "text" TEXT NOT NULL,

    CONSTRAINT "FleetConsoleChunk_pkey" PRIMARY KEY ("node","id")
);

-- CreateTable
CREATE TABLE "FleetOperator" (
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FleetOperator_pkey" PRIMARY KEY ("username")
);

-- CreateTable
CREATE TABLE "FleetSession" (
    "tokenHash" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FleetSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateIndex
CREATE INDEX "FleetExchange_receivedAt_idx" ON "FleetExchange"("receivedAt");

-- CreateIndex
CREATE INDEX "FleetExchange_node_receivedAt_idx" ON "FleetExchange"("node", "receivedAt");

-- CreateIndex
CREATE INDEX "FleetExchange_netFn_cmd_idx" ON "FleetExchange"("netFn", "cmd");

-- CreateIndex
CREATE INDEX "FleetExchange_status_idx" ON "FleetExchange"("status");

-- CreateIndex
CREATE INDEX "FleetAudit_at_idx" ON "FleetAudit"("at");

-- CreateIndex
CREATE INDEX "FleetConsoleChunk_receivedAt_idx" ON "FleetConsoleChunk"("receivedAt");

-- CreateIndex
CREATE INDEX "FleetSession_expiresAt_idx" ON "FleetSession"("expiresAt");

