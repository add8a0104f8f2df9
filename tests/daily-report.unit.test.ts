import { describe, expect, it } from "vitest";
import { dailyHtml } from "../app/daily-report.ts";

describe("the daily report page", () => {
  it("shows news and model text as text, never as markup", () => {
    const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    const html = dailyHtml({
      run: "r",
      date: "2015-10-16",
      for: "2015-10-19",
      calls: [
        {
          ticker: "AAPL",
          date: "2015-10-16",
          movement: "up",
          reason: hostile,
          key_events: [
            {
              id: "ev",
              type: hostile,
              description: hostile,
              chain_depth: 2,
              delta: hostile,
              chain: [{ date: "2015-10-12", description: "an earlier stage" }],
            },
          ],
          references: [hostile, "rf:AAPL:2015-09-28"],
          reflections: [{ id: "rf:AAPL:2015-09-28", label: "up", reason: hostile }],
        },
      ],
      equity: {
        days: 3,
        signal: 0.021,
        buyHold: -0.01,
        curve: {
          dates: ["2015-10-14", "2015-10-15", "2015-10-16"],
          signal: [1, 1.01, 1.021],
          buyHold: [1, 0.995, 0.99],
        },
      },
      scores: [
        {
          ticker: "ALL",
          predicted: 3,
          scored: 2,
          acc: 0.5,
          mcc: 0,
          alwaysUpAcc: 0.5,
          confusion: { tp: 1, tn: 0, fp: 1, fn: 0 },
        },
      ],
    });
    expect(html).not.toMatch(/<script>|<img/);
    expect(html.split("&lt;script&gt;").length - 1).toBe(6);
    expect(html).toContain('<code>rf:AAPL:2015-09-28</code>: went <span class="up">up</span>.');
    expect(html).toContain("calls for 2015-10-19");
    expect(html).toContain("story stage 3");
    expect(html).toContain("the story so far: 2015-10-12 an earlier stage");
    expect(html).toContain("<b>+2.1 %</b>, beside buy-and-hold -1.0 %");
    expect(html.match(/<polyline /g)).toHaveLength(2);
  });
});
