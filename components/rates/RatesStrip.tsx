"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { ratesSeries } from "./ratesSeries";
import { useRates } from "./useRates";

const COLORS = ["#4ea1ff", "#7bd88f", "#f7b955", "#c792ea", "#ff8a65", "#4dd0e1"];

/**
 * Exchanges/s per bus and the error rate over the last five minutes, live (issue 10). uPlot
 * draws it: small, fast with thousands of points, and redrawn in place each second.
 */
export function RatesStrip() {
  const rates = useRates();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const series = rates ? ratesSeries(rates) : null;
  const shape = series?.labels.join(",") ?? "";

  useEffect(() => {
    if (!box.current || series === null) return;
    if (plot.current === null || plot.current.series.length !== series.data.length) {
      plot.current?.destroy();
      plot.current = new uPlot(
        {
          width: box.current.clientWidth || 600,
          height: 90,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true }, pct: { range: [0, 100] } },
          axes: [
            { stroke: "#8b949e", grid: { show: false }, size: 20 },
            { stroke: "#8b949e", grid: { stroke: "#2a2f37" }, size: 40, label: "/s" },
            { side: 1, scale: "pct", stroke: "#f85149", grid: { show: false }, size: 36, label: "err %" },
          ],
          series: [
            {},
            ...series.labels.map((l, i) => ({ label: l, stroke: COLORS[i % COLORS.length], width: 1.5 })),
            { label: "errors %", scale: "pct", stroke: "#f85149", width: 1, dash: [4, 3] },
          ],
        },
        series.data as uPlot.AlignedData,
        box.current,
      );
    } else {
      plot.current.setData(series.data as uPlot.AlignedData);
    }
  });

  useEffect(() => () => plot.current?.destroy(), []);

  return (
    <div className="rates-strip" data-testid="rates-strip" data-buses={shape}>
      <div className="rates-figures">
        {series?.recent.map((r) => (
          <span
            key={r.busId}
            className="rates-figure"
            data-testid={`rate-${r.busId}`}
            data-per-second={r.perSecond}
          >
            <strong>{r.busId}</strong> {r.perSecond.toFixed(1)}/s
            {r.errorPercent > 0 && <span className="error-text"> {r.errorPercent.toFixed(1)}% errors</span>}
          </span>
        )) ?? <span className="muted">rates…</span>}
      </div>
      <div className="rates-chart" ref={box} />
    </div>
  );
}
