namespace Coyote.Tests.Timeline;

/// <summary>
/// A script the tests put into a timeline page (the shipped page has none): once the page is laid out it measures
/// the drawing and writes what it found into the <c>data-</c> attributes of a hidden <c>#layout</c> element, so that a
/// headless browser's DOM dump tells a test whether every lane, step box and blocked stretch was drawn in place and
/// nothing was cut off.
/// </summary>
internal static class TimelineLayoutCheck
{
    /// <summary>The page with the check at the end of its body (it reads the layout, changes nothing visible).</summary>
    internal static string Into(string page) =>
        page.Replace(
            "</body>",
            $"<div id=\"layout\" hidden></div>\n<script>\n{Script}</script>\n</body>",
            StringComparison.Ordinal
        );

    /// <summary>Plain JavaScript.</summary>
    private const string Script = """
        (function () {
          var doc = document.documentElement, body = document.body;
          var width = Math.max(doc.scrollWidth, body.scrollWidth);
          var height = Math.max(doc.scrollHeight, body.scrollHeight);
          function box(element) {
            var r = element.getBoundingClientRect();
            return { left: r.left + window.scrollX, top: r.top + window.scrollY,
              right: r.right + window.scrollX, bottom: r.bottom + window.scrollY, width: r.width, height: r.height };
          }
          var lanes = {}, laneCount = 0;
          document.querySelectorAll('.lane-head').forEach(function (head) {
            lanes[head.getAttribute('data-thread')] = box(head);
            laneCount++;
          });
          var counts = { steps: 0, waits: 0, empty: 0, outside: 0, hidden: 0, misplaced: 0, disorder: 0, clipped: 0 };
          function hiddenByAncestor(element, b) {
            for (var a = element.parentElement; a && a !== body && a !== doc; a = a.parentElement) {
              var style = getComputedStyle(a);
              if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
                var r = box(a);
                if (b.left < r.left - 0.5 || b.top < r.top - 0.5 || b.right > r.right + 0.5 || b.bottom > r.bottom + 0.5) {
                  return true;
                }
              }
            }
            return false;
          }
          function check(element) {
            var b = box(element);
            if (b.width < 2 || b.height < 2) { counts.empty++; }
            if (b.left < -0.5 || b.top < -0.5 || b.right > width + 0.5 || b.bottom > height + 0.5) { counts.outside++; }
            if (hiddenByAncestor(element, b)) { counts.hidden++; }
            var lane = lanes[element.getAttribute('data-thread')];
            if (!lane || b.left < lane.left - 0.5 || b.right > lane.right + 0.5) { counts.misplaced++; }
            if (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1) {
              counts.clipped++;
            }
            return b;
          }
          var lastBottom = -Infinity;
          document.querySelectorAll('#timeline .step').forEach(function (step) {
            var b = check(step);
            counts.steps++;
            if (b.top < lastBottom - 0.5) { counts.disorder++; }
            lastBottom = b.bottom;
          });
          document.querySelectorAll('#timeline .wait').forEach(function (wait) { check(wait); counts.waits++; });
          var failing = document.querySelectorAll('#timeline .step.failing');
          var out = document.getElementById('layout');
          out.setAttribute('data-lanes', laneCount);
          Object.keys(counts).forEach(function (key) { out.setAttribute('data-' + key, counts[key]); });
          out.setAttribute('data-failing', failing.length);
          if (failing.length === 1) {
            var f = box(failing[0]);
            out.setAttribute('data-failing-visible', f.width >= 2 && f.height >= 2 ? 'yes' : 'no');
            out.setAttribute('data-failing-colour', getComputedStyle(failing[0]).backgroundColor);
            out.setAttribute('data-failing-text', failing[0].textContent);
          }
          out.setAttribute('data-width', Math.round(width));
          out.setAttribute('data-height', Math.round(height));
          out.setAttribute('data-last-bottom', Math.round(lastBottom));
          out.setAttribute('data-checked', 'yes');
        })();

        """;
}
