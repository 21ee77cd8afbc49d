/**
 * Storage (NetFn 0Ah) handlers: FRU inventory (IPMI 2.0 section 34), SDR repository (33)
 * and SEL (31). The command table (server/ipmi/commands/storage.ts) lays out every request
 * and response; these only ask the FRU devices, the SDR repository and the SEL.
 */
import {
  addSelEntry,
  CLEAR_ACTION,
  clearSel,
  deleteSelEntry,
  ERASURE,
  getFruInventoryAreaInfo,
  getSdr,
  getSdrRepositoryAllocationInfo,
  getSdrRepositoryInfo,
  getSelAllocationInfo,
  getSelEntry,
  getSelInfo,
  getSelTime,
  readFruData,
  reserveSdrRepository,
  reserveSel,
  setSelTime,
  writeFruData,
} from "../../ipmi/commands/storage";
import { handlerFor } from "../../router/handler";
import type { HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { invalidField } from "../invalid-field";
import { MAX_READ_BYTES } from "../record-read";
import { SDR_ALLOCATION_UNIT, SDR_VERSION } from "../sdr";
import { NO_TIMESTAMP } from "../sel";

/**
 * Get SDR Repository Info byte 14 (33.9): Reserve SDR Repository and the allocation info
 * are supported; the repository is built from the profile, so no adds, deletes or update mode.
 */
const SDR_SUPPORT = {
  overflow: false,
  update: 0, // unspecified: the repository takes no updates
  delete: false,
  partialAdd: false,
  reserve: true,
  allocationInfo: true,
} as const;

export function storageHandlers(bmc: Bmc): HandlerSpec[] {
  const { fru, sdr, sel } = bmc;
  return [
    handlerFor(getFruInventoryAreaInfo, { handle: (ctx) => fru.areaInfo(ctx.request.device) }),
    handlerFor(readFruData, {
      handle: (ctx) => {
        const { device, offset, count } = ctx.request;
        return { data: fru.read(device, offset, count, MAX_READ_BYTES) };
      },
    }),
    handlerFor(writeFruData, {
      handle: (ctx) => {
        const { device, offset, data } = ctx.request;
        return { count: fru.write(device, offset, data) };
      },
    }),
    handlerFor(getSdrRepositoryInfo, {
      handle: () => ({
        version: SDR_VERSION,
        recordCount: sdr.records.length,
        freeSpace: 0, // the repository is fixed
        lastAddition: sdr.lastAddition,
        lastErase: NO_TIMESTAMP,
        support: SDR_SUPPORT,
      }),
    }),
    handlerFor(getSdrRepositoryAllocationInfo, {
      handle: () => {
        const units = sdr.allocationUnits();
        // Every unit is in use: there is no free space to report.
        return {
          possibleUnits: units.total,
          unitSize: SDR_ALLOCATION_UNIT,
          freeUnits: 0,
          largestFreeBlock: 0,
          maxRecordSize: units.largestRecord,
        };
      },
    }),
    handlerFor(reserveSdrRepository, { handle: () => ({ reservation: sdr.reservation.take() }) }),
    handlerFor(getSdr, { handle: (ctx) => sdr.read(ctx.request, MAX_READ_BYTES) }),
    handlerFor(getSelInfo, { handle: () => sel.info }),
    handlerFor(getSelAllocationInfo, { handle: () => sel.allocation }),
    handlerFor(reserveSel, { handle: () => ({ reservation: sel.reservation.take() }) }),
    handlerFor(getSelEntry, { handle: (ctx) => sel.read(ctx.request) }),
    handlerFor(addSelEntry, { handle: (ctx) => ({ recordId: sel.add(ctx.request) }) }),
    handlerFor(deleteSelEntry, {
      handle: (ctx) => {
        sel.reservation.check(ctx.request.reservation, true);
        return { recordId: sel.delete(ctx.request.recordId) };
      },
    }),
    handlerFor(clearSel, {
      handle: (ctx) => {
        const { reservation, confirmation, action } = ctx.request;
        sel.reservation.check(reservation, true);
        if (confirmation !== "CLR") invalidField("Clear SEL needs 'C' 'L' 'R' (43h 4Ch 52h)");
        if (action === CLEAR_ACTION.INITIATE) sel.clear();
        else if (action !== CLEAR_ACTION.GET_STATUS)
          invalidField("byte 6 must be AAh (erase) or 00h (status)");
        // Erasing is immediate: the status is always "completed".
        return { progress: ERASURE.COMPLETED };
      },
    }),
    handlerFor(getSelTime, { handle: () => ({ time: sel.time() }) }),
    handlerFor(setSelTime, { handle: (ctx) => sel.setTime(ctx.request.time) }),
  ];
}
