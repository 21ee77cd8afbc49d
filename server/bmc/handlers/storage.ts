/**
 * Storage (NetFn 0Ah) handlers: FRU inventory (section 34), SDR repository (33) and
 * SEL (31) commands. Multi-byte fields are LS byte first.
 */
import { CC } from "../../ipmi/completion-codes";
import { bytes, IpmiError, noRequest, rest, struct, u8, u16, u32 } from "../../ipmi/fields";
import { NETFN } from "../../ipmi/netfn";
import { defineHandler, type HandlerSpec } from "../../router/types";
import { type BmcCore, invalidField, le16, le32, MAX_READ_BYTES } from "../core";
import { readFru, writeFru } from "../fru";
import { SDR_ALLOCATION_UNIT, SDR_VERSION } from "../sdr";
import { NO_TIMESTAMP, SEL_OPERATIONS, SEL_RECORD_SIZE, SEL_VERSION } from "../sel";

export const STORAGE_CMD = {
  GET_FRU_INVENTORY_AREA_INFO: 0x10,
  READ_FRU_DATA: 0x11,
  WRITE_FRU_DATA: 0x12,
  GET_SDR_REPOSITORY_INFO: 0x20,
  GET_SDR_REPOSITORY_ALLOCATION_INFO: 0x21,
  RESERVE_SDR_REPOSITORY: 0x22,
  GET_SDR: 0x23,
  GET_SEL_INFO: 0x40,
  GET_SEL_ALLOCATION_INFO: 0x41,
  RESERVE_SEL: 0x42,
  GET_SEL_ENTRY: 0x43,
  ADD_SEL_ENTRY: 0x44,
  DELETE_SEL_ENTRY: 0x46,
  CLEAR_SEL: 0x47,
  GET_SEL_TIME: 0x48,
  SET_SEL_TIME: 0x49,
} as const;

/** Get SDR Repository Info byte 14: Reserve SDR Repository and allocation info supported; no updates. */
const SDR_OPERATIONS = 0x03;
/** Clear SEL byte 6 and the erasure progress it answers (31.9). */
const CLEAR_SEL_INITIATE = 0xaa;
const CLEAR_SEL_GET_STATUS = 0x00;
const ERASURE_COMPLETED = 0x01;
const CLR = [0x43, 0x4c, 0x52];

/** Get SDR and Get SEL Entry: reservation, record id, offset into the record, bytes to read. */
const GET_RECORD_REQUEST = struct({ reservation: u16, recordId: u16, offset: u8, count: u8 });

export function storageHandlers(core: BmcCore): HandlerSpec[] {
  const fruDevice = (id: number) => {
    const dev = core.fru.get(id);
    if (!dev) throw new IpmiError(CC.NOT_PRESENT, `no FRU device ${id}`);
    return dev;
  };
  return [
    defineHandler({
      id: "storage.get-fru-inventory-area-info",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_FRU_INVENTORY_AREA_INFO,
      privilege: "user",
      description: "Get FRU Inventory Area Info",
      request: struct({ device: u8 }),
      handle: (ctx) => {
        const dev = fruDevice(ctx.request.device);
        // Byte 3 bit 0: 0 = accessed by bytes.
        return { data: [...le16(dev.data.length), 0x00] };
      },
    }),
    defineHandler({
      id: "storage.read-fru-data",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.READ_FRU_DATA,
      privilege: "user",
      description: "Read FRU Data",
      request: struct({ device: u8, offset: u16, count: u8 }),
      handle: (ctx) => {
        const { device, offset, count } = ctx.request;
        const data = readFru(fruDevice(device), offset, count, MAX_READ_BYTES);
        return { data: [data.length, ...data] };
      },
    }),
    defineHandler({
      id: "storage.write-fru-data",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.WRITE_FRU_DATA,
      privilege: "operator",
      description: "Write FRU Data",
      request: struct({ device: u8, offset: u16, data: rest() }),
      handle: (ctx) => {
        const { device, offset, data } = ctx.request;
        if (data.length === 0)
          throw new IpmiError(CC.REQUEST_LENGTH_INVALID, "Write FRU Data needs at least one byte");
        const dev = fruDevice(device);
        const written = writeFru(dev, offset, data);
        core.fruChanged(dev);
        return { data: [written] };
      },
    }),
    defineHandler({
      id: "storage.get-sdr-repository-info",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SDR_REPOSITORY_INFO,
      privilege: "user",
      description: "Get SDR Repository Info",
      request: noRequest,
      handle: () => ({
        data: [
          SDR_VERSION,
          ...le16(core.sdr.records.length),
          ...le16(0), // free space: the repository is fixed
          ...le32(core.sdr.lastAddition),
          ...le32(NO_TIMESTAMP),
          SDR_OPERATIONS,
        ],
      }),
    }),
    defineHandler({
      id: "storage.get-sdr-repository-allocation-info",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SDR_REPOSITORY_ALLOCATION_INFO,
      privilege: "user",
      description: "Get SDR Repository Allocation Info",
      request: noRequest,
      handle: () => {
        const units = core.sdr.allocationUnits();
        return {
          data: [
            ...le16(units.total),
            ...le16(SDR_ALLOCATION_UNIT),
            ...le16(0),
            ...le16(0),
            units.largestRecord,
          ],
        };
      },
    }),
    defineHandler({
      id: "storage.reserve-sdr-repository",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.RESERVE_SDR_REPOSITORY,
      privilege: "user",
      description: "Reserve SDR Repository",
      request: noRequest,
      handle: () => ({ data: le16(core.sdr.reservation.take()) }),
    }),
    defineHandler({
      id: "storage.get-sdr",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SDR,
      privilege: "user",
      description: "Get SDR",
      request: GET_RECORD_REQUEST,
      handle: (ctx) => {
        const { next, data } = core.sdr.read(ctx.request, MAX_READ_BYTES);
        return { data: [...le16(next), ...data] };
      },
    }),
    defineHandler({
      id: "storage.get-sel-info",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SEL_INFO,
      privilege: "user",
      description: "Get SEL Info",
      request: noRequest,
      handle: () => {
        const i = core.sel.info;
        return {
          data: [
            SEL_VERSION,
            ...le16(i.count),
            ...le16(Math.min(0xffff, i.freeBytes)),
            ...le32(i.lastAddition),
            ...le32(i.lastErase),
            (i.overflow ? SEL_OPERATIONS.OVERFLOW : 0) |
              SEL_OPERATIONS.DELETE |
              SEL_OPERATIONS.RESERVE |
              SEL_OPERATIONS.GET_ALLOCATION_INFO,
          ],
        };
      },
    }),
    defineHandler({
      id: "storage.get-sel-allocation-info",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SEL_ALLOCATION_INFO,
      privilege: "user",
      description: "Get SEL Allocation Info",
      request: noRequest,
      handle: () => {
        const free = core.sel.capacity - core.sel.count;
        // One 16-byte allocation unit per entry; free units are contiguous.
        return {
          data: [...le16(core.sel.capacity), ...le16(SEL_RECORD_SIZE), ...le16(free), ...le16(free), 0x01],
        };
      },
    }),
    defineHandler({
      id: "storage.reserve-sel",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.RESERVE_SEL,
      privilege: "user",
      description: "Reserve SEL",
      request: noRequest,
      handle: () => ({ data: le16(core.sel.reservation.take()) }),
    }),
    defineHandler({
      id: "storage.get-sel-entry",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SEL_ENTRY,
      privilege: "user",
      description: "Get SEL Entry",
      request: GET_RECORD_REQUEST,
      handle: (ctx) => {
        const { next, data } = core.sel.read(ctx.request);
        return { data: [...le16(next), ...data] };
      },
    }),
    defineHandler({
      id: "storage.add-sel-entry",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.ADD_SEL_ENTRY,
      privilege: "operator",
      description: "Add SEL Entry",
      request: struct({ record: bytes(SEL_RECORD_SIZE) }),
      handle: (ctx) => ({ data: le16(core.sel.add(ctx.request.record)) }),
    }),
    defineHandler({
      id: "storage.delete-sel-entry",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.DELETE_SEL_ENTRY,
      privilege: "operator",
      description: "Delete SEL Entry",
      request: struct({ reservation: u16, recordId: u16 }),
      handle: (ctx) => {
        core.sel.reservation.check(ctx.request.reservation, true);
        return { data: le16(core.sel.delete(ctx.request.recordId)) };
      },
    }),
    defineHandler({
      id: "storage.clear-sel",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.CLEAR_SEL,
      privilege: "operator",
      description: "Clear SEL",
      request: struct({ reservation: u16, c: u8, l: u8, r: u8, operation: u8 }),
      handle: (ctx) => {
        const { reservation, c, l, r, operation } = ctx.request;
        core.sel.reservation.check(reservation, true);
        if (c !== CLR[0] || l !== CLR[1] || r !== CLR[2])
          invalidField("Clear SEL needs 'C' 'L' 'R' (43h 4Ch 52h)");
        if (operation === CLEAR_SEL_INITIATE) core.sel.clear();
        else if (operation !== CLEAR_SEL_GET_STATUS)
          invalidField("byte 6 must be AAh (erase) or 00h (status)");
        // Erasing is immediate: the status is always "completed".
        return { data: [ERASURE_COMPLETED] };
      },
    }),
    defineHandler({
      id: "storage.get-sel-time",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.GET_SEL_TIME,
      privilege: "user",
      description: "Get SEL Time",
      request: noRequest,
      handle: () => ({ data: le32(core.selTime()) }),
    }),
    defineHandler({
      id: "storage.set-sel-time",
      netFn: NETFN.STORAGE,
      cmd: STORAGE_CMD.SET_SEL_TIME,
      privilege: "operator",
      description: "Set SEL Time",
      request: struct({ time: u32 }),
      handle: (ctx) => {
        core.setSelTime(ctx.request.time);
        return {};
      },
    }),
  ];
}
