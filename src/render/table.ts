// Tables: boxed with a header on a terminal, plain tab-separated rows when piped (like gh).
import Table from 'cli-table3';
import { oneLine } from '../util/text.js';

export interface TableSpec {
  head: string[];
  rows: string[][];
  tty: boolean;
}

export function renderTable({ head, rows, tty }: TableSpec): string {
  if (!tty) return rows.map((r) => r.map((cell) => tsvCell(cell)).join('\t') + '\n').join('');
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  // Cells are already made safe (oneLine) by the caller, before any colour was added.
  for (const r of rows) table.push(r);
  return table.toString() + '\n';
}

function tsvCell(cell: string): string {
  // Strip colour and keep one record per line, one field per tab.
  return oneLine(cell.replace(/\x1b\[[0-9;]*m/g, '')).replace(/\t/g, ' ');
}
