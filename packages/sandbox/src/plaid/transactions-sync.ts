import { plaidErrors } from './errors.js';
import type { PlaidItem, TransactionRecord } from './item.js';
import type { WireRemovedTransaction, WireTransaction } from './wire-types.js';

/**
 * Where a client stands in an Item's change sequence. `since` is the last change it has fully received; while it
 * pages through an update, `upTo` fixes the change the update ends at and `offset` how many entries it has taken.
 * A settled cursor has since === upTo and offset 0.
 */
interface SyncPosition {
  since: number;
  upTo: number;
  offset: number;
}

const CURSOR_VERSION = 'v1';

function encodeCursor(item: PlaidItem, position: SyncPosition): string {
  const raw = [CURSOR_VERSION, item.itemId, position.since, position.upTo, position.offset].join(':');
  return Buffer.from(raw, 'utf8').toString('base64url');
}

function decodeCursor(item: PlaidItem, cursor: string): SyncPosition {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [version, itemId, ...numbers] = parts;
  const [since, upTo, offset] = numbers.map(Number);
  const valid =
    version === CURSOR_VERSION &&
    itemId === item.itemId &&
    since !== undefined &&
    upTo !== undefined &&
    offset !== undefined &&
    [since, upTo, offset].every((n) => Number.isInteger(n) && n >= 0) &&
    since <= upTo &&
    upTo <= item.changeHead;
  if (!valid) throw plaidErrors.invalidField('cursor is not valid for this item');
  return { since, upTo, offset };
}

type Entry =
  | { kind: 'added'; seq: number; record: TransactionRecord }
  | { kind: 'modified'; seq: number; record: TransactionRecord }
  | { kind: 'removed'; seq: number; record: TransactionRecord };

/**
 * The net changes between change `since` and now, relative to what a client at `since` holds: a transaction created
 * and removed in between never shows; one it held and that changed shows once, as modified or removed.
 */
function netChanges(item: PlaidItem, since: number, accountId: string | undefined): Entry[] {
  const entries: Entry[] = [];
  for (const record of item.allRecords()) {
    if (accountId !== undefined && record.transaction.account_id !== accountId) continue;
    const heldBefore = record.createdSeq <= since && (record.removedSeq === null || record.removedSeq > since);
    const existsNow = record.removedSeq === null;
    if (!heldBefore && existsNow) entries.push({ kind: 'added', seq: record.createdSeq, record });
    else if (heldBefore && !existsNow) entries.push({ kind: 'removed', seq: record.removedSeq ?? 0, record });
    else if (heldBefore && existsNow && record.modifiedSeq > since)
      entries.push({ kind: 'modified', seq: record.modifiedSeq, record });
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

export interface SyncPage {
  added: WireTransaction[];
  modified: WireTransaction[];
  removed: WireRemovedTransaction[];
  nextCursor: string;
  hasMore: boolean;
}

export interface SyncRequest {
  cursor: string | undefined;
  count: number;
  accountId: string | undefined;
  view: (transaction: WireTransaction) => WireTransaction;
}

/**
 * One page of /transactions/sync. Per Plaid's docs, an empty cursor starts from the beginning of the history,
 * `count` bounds the number of updates (added + modified + removed) per page, and if the data changes while the
 * client is paging, the call fails with TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION and the client restarts from
 * the cursor it began paging with.
 */
export function syncTransactions(item: PlaidItem, request: SyncRequest): SyncPage {
  const position: SyncPosition =
    request.cursor === undefined || request.cursor === ''
      ? { since: 0, upTo: item.changeHead, offset: 0 }
      : decodeCursor(item, request.cursor);
  const paging = position.offset > 0;
  if (paging && position.upTo !== item.changeHead) throw plaidErrors.syncMutationDuringPagination();
  const upTo = paging ? position.upTo : item.changeHead;

  const entries = netChanges(item, position.since, request.accountId);
  const page = entries.slice(position.offset, position.offset + request.count);
  const taken = position.offset + page.length;
  const hasMore = taken < entries.length;
  const next: SyncPosition = hasMore
    ? { since: position.since, upTo, offset: taken }
    : { since: upTo, upTo, offset: 0 };

  const result: SyncPage = { added: [], modified: [], removed: [], nextCursor: encodeCursor(item, next), hasMore };
  for (const entry of page) {
    const tx = entry.record.transaction;
    if (entry.kind === 'added') result.added.push(request.view(tx));
    else if (entry.kind === 'modified') result.modified.push(request.view(tx));
    else result.removed.push({ transaction_id: tx.transaction_id, account_id: tx.account_id });
  }
  return result;
}
