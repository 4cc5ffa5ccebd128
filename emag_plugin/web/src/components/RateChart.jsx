// A small uPlot line chart of items/s of running syncs and the accounts'
// requests/min, from the samples kept by sync_feed.js.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { rateSamples } from "../sync_feed.js";
import { useObservable } from "../observable.js";

function options(width) {
  return {
    width,
    height: 160,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, items: { auto: true, range: (u, min, max) => [0, Math.max(1, max)] }, rpm: { auto: true, range: (u, min, max) => [0, Math.max(1, max)] } },
    series: [
      // The legend's time as local clock time, like the axis (uPlot's
      // default is a US date).
      { value: (u, t) => (t == null ? "—" : new Date(t * 1000).toLocaleTimeString()) },
      { label: "items/s (syncs)", scale: "items", stroke: "#2563eb", width: 2, fill: "rgba(37,99,235,0.08)" },
      { label: "requests/min", scale: "rpm", stroke: "#d97706", width: 1.5, dash: [4, 3] },
    ],
    axes: [
      // Whole seconds only, shown as local clock time.
      { stroke: "#6b7280", grid: { stroke: "#eef0f3" }, space: 70, incrs: [1, 5, 10, 15, 30, 60, 120, 300], values: (u, splits) => splits.map((t) => new Date(t * 1000).toLocaleTimeString()) },
      { scale: "items", stroke: "#2563eb", grid: { stroke: "#eef0f3" }, size: 44 },
      { scale: "rpm", side: 1, stroke: "#d97706", grid: { show: false }, size: 44 },
    ],
  };
}

export function RateChart() {
  const box = useRef(null);
  const plot = useRef(null);
  const samples = useObservable(rateSamples);

  useEffect(() => {
    const el = box.current;
    const u = new uPlot(options(Math.max(200, el.clientWidth)), [[], [], []], el);
    plot.current = u;
    // Follow the card's width; uPlot does not resize by itself.
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 160 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([samples.t, samples.rate, samples.rpm]);
  }, [samples]);

  return <div class="chart" ref={box} data-testid="rate-chart" />;
}
