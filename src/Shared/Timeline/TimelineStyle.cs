namespace Pool.Systematic.Timelines;

/// <summary>The timeline page's inline style sheet (system fonts only: the page loads nothing).</summary>
internal static class TimelineStyle
{
    /// <summary>CSS for the header, the lane grid, step boxes, blocked stretches and markers.</summary>
    internal const string Css = """
        :root { font: 13px/1.35 system-ui, "DejaVu Sans", "Segoe UI", sans-serif; color: #111827; }
        body { margin: 0; background: #fff; }
        header { padding: 12px 16px; border-bottom: 1px solid #e5e7eb; background: #f9fafb; }
        h1 { font-size: 18px; margin: 0 0 6px; }
        .bug { margin: 4px 0; padding: 6px 10px; background: #fef2f2; border: 1px solid #fca5a5;
          border-radius: 4px; color: #7f1d1d; overflow-wrap: anywhere; }
        .facts { margin: 4px 0; color: #374151; overflow-wrap: anywhere; }
        .legend { margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
        .legend .step, .legend .wait { display: inline-block; padding: 1px 6px; --c: #6b7280; }
        .hint { color: #6b7280; font-style: italic; }
        .empty { color: #6b7280; }
        #timeline { display: grid; grid-auto-rows: minmax(22px, auto); column-gap: 8px; row-gap: 2px;
          padding: 0 16px 24px; }
        .head { position: sticky; top: 0; z-index: 3; background: #fff; padding: 6px 4px 4px;
          border-bottom: 3px solid var(--c, #9ca3af); font-weight: 600; overflow-wrap: anywhere; }
        .head small { color: #6b7280; font-weight: 400; }
        .lane { z-index: 0; justify-self: center; width: 0; border-left: 2px solid var(--c); opacity: .3; }
        .n { color: #6b7280; font: 11px/22px ui-monospace, "DejaVu Sans Mono", monospace; text-align: right;
          padding-right: 4px; }
        .n.end { font-weight: 700; color: #991b1b; }
        .step { z-index: 1; background: color-mix(in srgb, var(--c) 9%, #fff);
          border: 1px solid color-mix(in srgb, var(--c) 40%, #fff); border-left: 4px solid var(--c);
          border-radius: 3px; padding: 2px 6px; overflow-wrap: anywhere; }
        .step:hover { outline: 2px solid #111827; }
        .op { font: 600 12px ui-monospace, "DejaVu Sans Mono", monospace; }
        .loc { color: #4b5563; font-size: 11px; }
        .step.flush { background: #f0f9ff; border-style: dashed; border-left-style: dashed; font-style: italic; }
        .step.preempting { border-top: 3px solid #ea580c; }
        .badge { display: inline-block; background: #ea580c; color: #fff; border-radius: 8px; padding: 0 6px;
          font-size: 10px; }
        .preempted { z-index: 1; align-self: center; justify-self: center; font-size: 10px; color: #c2410c;
          border: 1px dashed #ea580c; border-radius: 8px; padding: 0 6px; background: #fff7ed; }
        .step.failing { background: #fee2e2; border: 2px solid #dc2626; border-left: 6px solid #dc2626;
          box-shadow: 0 0 0 3px rgba(220, 38, 38, .3); }
        .msg { margin-top: 3px; color: #991b1b; font-weight: 600; }
        .wait { z-index: 1; border: 1px solid #9ca3af; border-radius: 3px; padding: 1px 6px; font-size: 11px;
          color: #1f2937; overflow-wrap: anywhere;
          background: repeating-linear-gradient(135deg, #f3f4f6 0 6px, #e5e7eb 6px 12px); }
        .wait > span { position: sticky; top: 34px; display: block; }
        .wait-lock { border-color: #d97706;
          background: repeating-linear-gradient(135deg, #fef3c7 0 6px, #fde68a 6px 12px); }
        .wait-condition { border-color: #7c3aed;
          background: repeating-linear-gradient(135deg, #ede9fe 0 6px, #ddd6fe 6px 12px); }
        .wait-join { border-color: #2563eb;
          background: repeating-linear-gradient(135deg, #dbeafe 0 6px, #bfdbfe 6px 12px); }
        .wait-sleep { border-color: #0d9488;
          background: repeating-linear-gradient(135deg, #ccfbf1 0 6px, #99f6e4 6px 12px); }

        """;
}
