import { useEffect, useRef } from 'react';

export interface Series {
  label: string;
  data: number[];
  color: string;
}

/**
 * A bar chart on a canvas, drawn by chart.js once its chunk has loaded. The canvas is an image
 * named by `summary`; the numbers themselves are in the table each chart comes with.
 */
export function BarChart({
  labels,
  series,
  summary,
}: {
  labels: string[];
  series: Series[];
  summary: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let live = true;
    void import('./charts.js').then(({ Chart }) => {
      if (!live || !canvas.current) return;
      chart = new Chart(canvas.current, {
        type: 'bar',
        data: {
          labels,
          datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color })),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: series.length > 1 } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [labels, series]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={summary} />
    </div>
  );
}
