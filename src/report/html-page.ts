/**
 * The page around the views: escaping, the inline style sheet (colours always paired with a text
 * label and a pattern, so that nothing depends on colour alone; a print layout that shows every
 * stack's details) and the inline script (a stack's details in a dialog, by click or keyboard, and
 * arrow keys across the grid). Nothing is fetched: the file works offline and as a pipeline artifact.
 */

import { SafeHtml, html, trustedMarkup } from './html-template';

/** Outcome -> the label shown on its cells and in the legend (the colour only repeats it). */
export const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  planned: 'changes planned',
  'no-changes': 'no change',
  applied: 'applied',
  failed: 'FAILED',
  refused: 'REFUSED',
  'not-touched': 'untouched',
  'in-sync': 'in sync',
  drifted: 'DRIFTED',
  'no-state': 'no state',
};

const STYLE = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; font-family: system-ui, sans-serif; color: var(--ink); }
body { margin: 1.5rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.alert { border: 3px solid #b00020; background: #fff0f0; padding: .75rem 1rem; margin: 1rem 0; }
.alert h2 { margin: 0 0 .5rem; color: #b00020; } .alert li { margin: .25rem 0; }
.legend { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 1rem; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: .35rem; font-size: .85rem; }
.swatch { width: 1.4rem; height: 1rem; border: 1px solid #444; display: inline-block; }
.wave { display: flex; align-items: flex-start; gap: .5rem; margin: .4rem 0; }
.wave-label { width: 5rem; flex: none; font-weight: 600; padding-top: .5rem; }
.cells { display: flex; flex-wrap: wrap; gap: .3rem; }
.cell { font: inherit; font-size: .8rem; text-align: left; border: 2px solid #444; border-radius: 4px; padding: .3rem .45rem; min-width: 9rem; cursor: pointer; color: var(--ink); }
.cell small { display: block; font-weight: 700; }
.cell:focus-visible { outline: 3px solid #0550ae; outline-offset: 2px; }
.o-planned { background: repeating-linear-gradient(45deg, #fff1c2 0 6px, #ffe08a 6px 12px); }
.o-no-changes { background: #f3f4f6; }
.o-applied, .o-in-sync { background: #d3f5d8; }
.o-failed { background: repeating-linear-gradient(45deg, #ffd6d6 0 5px, #ff9c9c 5px 10px), #ffd6d6; border-color: #b00020; }
.o-refused { background: repeating-linear-gradient(-45deg, #ffd6d6 0 4px, #fff 4px 8px); border-color: #b00020; }
.o-drifted { background: radial-gradient(#e07b00 20%, transparent 22%) 0 0 / 8px 8px, #ffe7c7; }
.o-not-touched, .o-no-state { background: #fff; border-style: dashed; color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0; font-size: .85rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.heat-0 { background: #fff; } .heat-1 { background: #ffe7c7; } .heat-2 { background: #ffc680; } .heat-3 { background: #f08c00; color: #000; }
.chart { margin: .5rem 0 1.5rem; } .chart text { font-size: 11px; fill: var(--ink); }
.budget-line { stroke: #b00020; stroke-width: 2; stroke-dasharray: 6 4; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .8rem; white-space: pre-wrap; }
dialog { max-width: min(90vw, 900px); border: 2px solid #444; border-radius: 6px; }
dialog::backdrop { background: rgba(0,0,0,.35); }
.stack-details[hidden] { display: none; }
@media print {
  .cell { break-inside: avoid; } dialog, .no-print { display: none !important; }
  .stack-details[hidden] { display: block !important; } .stack-details { break-inside: avoid; border-top: 1px solid #999; }
  .o-planned, .o-failed, .o-refused, .o-drifted { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;

const SCRIPT = `
(function () {
  var dialog = document.getElementById('stack-dialog');
  var title = dialog.querySelector('h2');
  var body = dialog.querySelector('.dialog-body');
  var opener = null;
  function open(cell) {
    var source = document.getElementById('details-' + cell.getAttribute('data-id'));
    title.textContent = cell.getAttribute('data-stack');
    body.innerHTML = source ? source.innerHTML : '';
    opener = cell;
    dialog.showModal();
  }
  document.querySelectorAll('.cell').forEach(function (cell) {
    cell.addEventListener('click', function () { open(cell); });
  });
  dialog.querySelector('.close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('close', function () { if (opener) opener.focus(); });
  var cells = Array.prototype.slice.call(document.querySelectorAll('.cell'));
  document.addEventListener('keydown', function (event) {
    var index = cells.indexOf(document.activeElement);
    if (index < 0) return;
    var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    var next = cells[Math.min(cells.length - 1, Math.max(0, index + step))];
    next.focus();
  });
})();`;

/** A whole page: title, the views' HTML, the dialog that shows a stack's details. */
export function page(title: string, subtitle: string, sections: readonly SafeHtml[]): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trustedMarkup(STYLE)}</style>
</head>
<body>
<header><h1>${title}</h1><p class="meta">${subtitle}</p></header>
<main>
${sections.map((section) => html`${section}\n`)}</main>
<dialog id="stack-dialog" aria-labelledby="stack-dialog-title">
<h2 id="stack-dialog-title"></h2>
<div class="dialog-body"></div>
<button type="button" class="close">Close</button>
</dialog>
<script>${trustedMarkup(SCRIPT)}</script>
</body>
</html>
`.toString();
}
