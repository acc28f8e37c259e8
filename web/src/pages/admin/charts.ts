/**
 * chart.js, tree-shaken: only the bar chart and what it draws with. Imported dynamically by
 * BarChart, so it is a chunk of its own that the dashboard loads when it draws (adr/0017).
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export { Chart };
