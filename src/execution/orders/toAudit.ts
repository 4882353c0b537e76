/**
 * @module One function from an order event to its execution-log line, so the audit trail and the
 * run store are written from the same object. Events with nothing to tell an auditor (the
 * internal `Submitted` mark and its `NotReceived` undo) render no line.
 */
import type { ExecutionEventInput } from '../audit/executionLog.js';
import type { OrderEvent } from './events.js';

function cells(e: OrderEvent): Pick<ExecutionEventInput, 'symbol' | 'side' | 'qty' | 'clientOrderId'> {
  return { symbol: e.symbol, side: e.side, qty: e.qty, clientOrderId: e.clientOrderId };
}

function price(p: number | null): number {
  return p ?? Number.NaN;
}

export function eventToAudit(e: OrderEvent): ExecutionEventInput | undefined {
  switch (e.kind) {
    case 'Planned':
      return { ...cells(e), event: 'ORDER_PLANNED', orderType: 'market', status: 'planned', detail: { intent: e.intent, refPrice: e.refPrice, notional: e.notional } };
    case 'Resized':
      return { ...cells(e), event: 'ORDER_PLANNED', orderType: 'market', status: 'resized', reason: e.reason, detail: { plannedQty: e.plannedQty, qty: e.qty, budget: e.budget, scale: e.scale } };
    case 'Skipped':
      return { ...cells(e), event: 'ORDER_CANCELED', status: 'skipped', reason: e.reason };
    case 'Submitted':
    case 'NotReceived':
      return undefined;
    case 'Accepted':
      return { ...cells(e), event: 'ORDER_SUBMITTED', orderType: e.orderType, orderId: e.brokerOrderId, status: e.brokerStatus, ...(e.reconciled ? { detail: { reconciled: true } } : {}) };
    case 'Queued':
      return {
        ...cells(e),
        event: 'ORDER_SUBMITTED',
        orderType: e.orderType,
        orderId: e.brokerOrderId,
        status: e.brokerStatus,
        reason: e.nextOpen ? `market closed: queued for the open at ${e.nextOpen}` : 'market closed: queued for the next open',
        detail: { queued: true, nextOpen: e.nextOpen, ...(e.reconciled ? { reconciled: true } : {}) },
      };
    case 'PartiallyFilled':
      return { ...cells(e), event: 'PARTIAL_FILL', orderId: e.brokerOrderId, status: e.brokerStatus, fillPrice: price(e.filledAvgPrice), fillQty: e.filledQty };
    case 'Filled':
      return {
        ...cells(e),
        event: 'ORDER_FILLED',
        orderId: e.brokerOrderId,
        status: e.brokerStatus,
        fillPrice: price(e.filledAvgPrice),
        fillQty: e.filledQty,
        ...(e.filledAt || e.note ? { detail: { ...(e.filledAt ? { filledAt: e.filledAt } : {}), ...(e.note ? { note: e.note } : {}) } } : {}),
      };
    case 'Canceled':
    case 'Expired':
      return { ...cells(e), event: 'ORDER_CANCELED', orderId: e.brokerOrderId, status: e.brokerStatus, fillQty: e.filledQty, reason: e.reason };
    case 'Rejected':
      return { ...cells(e), event: 'ORDER_REJECTED', ...(e.brokerOrderId ? { orderId: e.brokerOrderId } : {}), status: 'rejected', reason: e.reason };
    case 'LeftWorking':
      // PARTIAL_FILL with leftOpen: the order's outcome for this run is "still working, n filled".
      return { ...cells(e), event: 'PARTIAL_FILL', orderId: e.brokerOrderId, status: e.brokerStatus, fillPrice: price(e.filledAvgPrice), fillQty: e.filledQty, reason: e.reason, detail: { leftOpen: true } };
    case 'Lost':
      return { ...cells(e), event: 'ORDER_CANCELED', ...(e.brokerOrderId ? { orderId: e.brokerOrderId } : {}), status: 'lost', reason: e.reason };
    case 'Abandoned':
      return { ...cells(e), event: 'ORDER_CANCELED', status: 'abandoned', reason: e.reason };
  }
}
