// The decision-support dashboard (docs/analytics.md "The dashboard"): preact + htm and ECharts served
// from node_modules by this server, nothing loaded from the internet. Every figure opens the orders
// behind it (GET /analytics/drill); every table exports as CSV, the whole page as Excel.
import { html, render, useEffect, useRef, useState } from '/vendor/htm-preact.js';

const lang = localStorage.getItem('orderkit.lang') === 'en' ? 1 : 0;
const T = {
  title: ['决策分析', 'Insights'], from: ['开始日期', 'From'], to: ['结束日期（含）', 'To (inclusive)'], channel: ['渠道', 'Channel'], province: ['省份', 'Province'],
  all: ['全部', 'All'], apply: ['查询', 'Apply'], excel: ['导出 Excel', 'Export Excel'], vs: ['上期', 'prev.'],
  placed: ['下单', 'Orders placed'], paid: ['支付', 'Paid orders'], gmv: ['成交额', 'GMV'], aov: ['客单价', 'Avg order'], refundRate: ['退款率', 'Refund rate'],
  customers: ['顾客', 'Customers'], newCustomers: ['新客', 'New customers'], repeatRate: ['复购率', 'Repeat rate'], couponOrders: ['用券订单', 'Coupon orders'], refundedOrders: ['退款订单', 'Refunded orders'],
  byProvince: ['按省份', 'By province'], byChannel: ['按渠道', 'By channel'], heatmap: ['下单时段热力图（周 × 小时）', 'Orders by weekday × hour'],
  cohorts: ['同期群留存（首单周）', 'Cohort retention (first-order week)'], forecast: ['未来 14 天订单预测（95% 区间）', 'Orders, next 14 days (95 % band)'],
  skus: ['商品退款率', 'Refund rate per SKU'], todo: ['待处理：超时未完成（瓶颈）', 'To do: open SLA breaches'], past: ['历史超时（已完成）', 'Past breaches (finished late)'],
  automations: ['自动化动作', 'Automatic actions'], fired: ['已触发', 'Fired'], anomaly: ['异常检测（昨日 vs 预测区间）', 'Anomaly check (yesterday vs forecast band)'],
  drill: ['明细订单', 'Orders behind'], close: ['关闭', 'Close'], total: ['共', 'Total'], none: ['此范围内没有订单', 'No orders in this range'],
  order: ['订单', 'Order'], status: ['状态', 'Status'], placedAt: ['下单时间', 'Placed'], amount: ['实付', 'Paid'], refunded: ['已退', 'Refunded'],
  stage: ['阶段', 'Stage'], overdue: ['超出', 'Over SLA'], waiting: ['已等待', 'Waiting'], rule: ['规则', 'Rule'], why: ['原因', 'Why'], at: ['时间', 'At'],
  signIn: ['请先在订单后台登录员工账号', 'Sign in as staff in the order console first'], orders: ['单', 'orders'], key: ['维度', 'Key'],
  cohort: ['首单周', 'Cohort'], week: ['周', 'wk'], noneOpen: ['没有待处理的超时订单', 'Nothing overdue'], noneFired: ['尚未触发', 'Nothing fired yet'],
};
const t = (k) => (T[k] ? T[k][lang] : k);
const RULES = { payment_reminder: ['催付', 'Payment reminder'], shipping_alert: ['发货超时预警', 'Shipping SLA alert'], fast_refund: ['极速退款', 'Fast refund'] };
const STAGES = { payment: ['付款', 'payment'], fulfilment: ['发货', 'fulfilment'], delivery: ['配送', 'delivery'], confirmation: ['确认收货', 'confirmation'] };
const WEEKDAYS = lang ? ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] : ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const SHOP_OFFSET = '+08:00'; // the demo shop's zone, Asia/Shanghai (no daylight saving)

const yuan = (fen) => (fen === null || fen === undefined ? '–' : `¥${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const pct = (r) => (r === null || r === undefined ? '–' : `${(r * 100).toFixed(1)}%`);
const hours = (ms) => `${(ms / 3_600_000).toFixed(1)} h`;
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang ? 'en-GB' : 'zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' }) : '');
const msg = (m) => (m ? m[lang ? 'en' : 'zh-CN'] : '');

async function get(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const data = await r.json().catch(() => null);
  return { ok: r.ok, status: r.status, data };
}

function localDay(offsetDays) {
  const d = new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}
function nextDay(day) {
  // Not a day (an emptied field): passed on as it is, for the server to say what is wrong with it.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
/** The query string of the filters: the shop's days as instants, the end day included. */
function queryOf(f) {
  const bound = (day) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00${SHOP_OFFSET}` : day);
  const q = new URLSearchParams({ from: bound(f.from), to: bound(nextDay(f.to)) });
  if (f.channel) q.set('channel', f.channel);
  if (f.province) q.set('province', f.province);
  return q;
}
const withParams = (q, extra) => {
  const out = new URLSearchParams(q);
  for (const [k, v] of Object.entries(extra)) out.set(k, String(v));
  return out.toString();
};

function Change({ c, money, rate }) {
  if (!c) return null;
  const show = money ? yuan : rate ? pct : (v) => (v === null ? '–' : String(v));
  const cls = c.relative === null || c.relative === 0 ? 'muted' : c.relative > 0 ? 'up' : 'down';
  return html`<small>${t('vs')} ${show(c.previous)} · <span class=${cls} data-testid="change">${c.relative === null ? '–' : `${c.relative > 0 ? '+' : ''}${(c.relative * 100).toFixed(1)}%`}</span></small>`;
}

function Kpi({ id, label, value, change, money, rate, onDrill }) {
  return html`<button class="kpi" data-testid=${`kpi-${id}`} onClick=${onDrill} title=${t('drill')}>
    <label>${label}</label><b>${value}</b><${Change} c=${change} money=${money} rate=${rate} /></button>`;
}

function Chart({ id, option, onClick, empty }) {
  const el = useRef(null);
  useEffect(() => {
    if (empty || !el.current) return undefined;
    const chart = window.echarts.init(el.current);
    chart.setOption(option);
    if (onClick) chart.on('click', onClick);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); chart.dispose(); };
  }, [JSON.stringify(option), empty]);
  if (empty) return html`<div class="empty" data-testid=${id}>${empty}</div>`;
  return html`<div class="chart" id=${id} data-testid=${id} ref=${el}></div>`;
}

function Csv({ q, table }) {
  return html`<a href=${`/analytics/export?${withParams(q, { format: 'csv', table })}`} download data-testid=${`csv-${table}`}>CSV</a>`;
}

function Breakdown({ title, rows, dimension, q, onDrill }) {
  return html`<div class="card"><h2>${title} <${Csv} q=${q} table=${dimension} /></h2>
    ${rows.length === 0 ? html`<p class="muted">${t('none')}</p>` : html`<div class="scroll"><table class="table" data-testid=${`breakdown-${dimension}`}>
      <thead><tr><th>${t('key')}</th><th>${t('placed')}</th><th>${t('paid')}</th><th>${t('gmv')}</th><th>${t('aov')}</th><th>${t('refundRate')}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr class="pick" onClick=${() => onDrill({ figure: 'segment', dimension, key: r.key ?? '' }, `${title}: ${r.key ?? '—'}`)}>
        <td>${r.key ?? '—'}</td><td>${r.placed}</td><td>${r.paid}</td><td>${yuan(r.gmv)}</td><td>${yuan(r.averageOrderValue)}</td><td>${pct(r.refundRate)}</td></tr>`)}</tbody></table></div>`}
  </div>`;
}

function Cohorts({ report, q, onDrill }) {
  const rows = report.cohorts;
  const width = Math.max(0, ...rows.map((c) => c.retained.length));
  const shade = (r) => `background: rgba(7, 193, 96, ${r === null ? 0 : 0.08 + 0.6 * r})`;
  return html`<div class="card"><h2>${t('cohorts')} <${Csv} q=${q} table="cohorts" /></h2>
    ${rows.length === 0 ? html`<p class="muted">${t('none')}</p>` : html`<div class="scroll"><table class="table" data-testid="cohorts">
      <thead><tr><th>${t('cohort')}</th><th>${t('customers')}</th>${Array.from({ length: width }, (_, k) => html`<th>+${k} ${t('week')}</th>`)}</tr></thead>
      <tbody>${rows.map((c) => html`<tr><td>${c.period}</td><td>${c.customers}</td>${c.retained.map((n, k) => html`<td class="cell" style=${shade(c.retention[k])}
        onClick=${() => onDrill({ figure: 'cohort', by: 'week', period: c.period, offset: k }, `${t('cohort')} ${c.period} +${k} ${t('week')}`)}>${k === 0 ? n : `${n} (${pct(c.retention[k])})`}</td>`)}</tr>`)}</tbody></table></div>`}
  </div>`;
}

function Breaches({ data }) {
  const row = (b) => html`<tr><td><a href=${`/console#${b.orderId}`}>${b.number}</a></td><td>${STAGES[b.stage] ? STAGES[b.stage][lang] : b.stage}</td><td>${hours(b.elapsedMs)}</td><td class="over">${hours(b.overdueMs)}</td><td>${b.status}</td></tr>`;
  const head = html`<thead><tr><th>${t('order')}</th><th>${t('stage')}</th><th>${t('waiting')}</th><th>${t('overdue')}</th><th>${t('status')}</th></tr></thead>`;
  return html`<div class="card"><h2>${t('todo')} <small data-testid="open-total">${data.open.total}</small></h2>
      ${data.open.total === 0 ? html`<p class="muted">${t('noneOpen')}</p>` : html`<div class="scroll"><table class="table" data-testid="open-breaches">${head}<tbody>${data.open.breaches.map(row)}</tbody></table></div>`}
    </div>
    <div class="card"><h2>${t('past')} <small data-testid="past-total">${data.past.total}</small></h2>
      <div class="scroll"><table class="table" data-testid="past-breaches">${head}<tbody>${data.past.breaches.map(row)}</tbody></table></div>
    </div>`;
}

function Automations({ data }) {
  const check = data.lastCheck;
  return html`<div class="card wide"><h2>${t('automations')} <small>${data.lastRunAt ? when(data.lastRunAt) : ''}</small></h2>
    ${data.fired.length === 0 ? html`<p class="muted">${t('noneFired')}</p>` : html`<div class="scroll"><table class="table" data-testid="automations">
      <thead><tr><th>${t('rule')}</th><th>${t('order')}</th><th>${t('why')}</th><th>${t('at')}</th><th>effect</th></tr></thead>
      <tbody>${data.fired.map((f) => html`<tr><td>${RULES[f.rule] ? RULES[f.rule][lang] : f.rule}</td><td>${f.orderNumber}</td><td>${msg(f.reason)}</td><td>${when(f.at)}</td><td><code>${f.effectIds.join(' ')}</code></td></tr>`)}</tbody></table></div>`}
    <h2>${t('anomaly')}</h2>
    <p data-testid="anomaly">${!check ? '–' : !check.ok ? msg(check.message) : check.alerts.length === 0
      ? `${check.date}: ${t('placed')} ${check.bands.orders.actual} ∈ [${check.bands.orders.low}, ${check.bands.orders.high}], ${t('refundRate')} ${pct(check.bands.refund_rate.actual)} ∈ [${pct(check.bands.refund_rate.low)}, ${pct(check.bands.refund_rate.high)}]`
      : check.alerts.map((a) => msg(a.reason)).join('；')}</p>
  </div>`;
}

function Drill({ drill, q, onClose }) {
  const [res, setRes] = useState(null);
  const params = withParams(q, drill.figure);
  useEffect(() => {
    // A drill asked for before (another figure) must not paint over the one asked for now.
    let live = true;
    setRes(null);
    get(`/analytics/drill?${params}`).then((r) => live && setRes(r));
    return () => { live = false; };
  }, [params]);
  return html`<div class="card wide drill" data-testid="drill"><h2>${t('drill')}: ${drill.label}
      <span><a href=${`/analytics/export?${withParams(params, { format: 'csv', table: 'orders' })}`} download data-testid="drill-csv">CSV</a> ·
      <a href=${`/analytics/export?${withParams(params, { format: 'xlsx' })}`} download>Excel</a> · <button onClick=${onClose}>${t('close')}</button></span></h2>
    ${!res ? html`<p class="muted">…</p>` : !res.ok ? html`<p class="error">${res.data ? `${res.data.code}: ${msg(res.data.messages)}` : `HTTP ${res.status}`}</p>` : html`
      <p>${t('total')} <b data-testid="drill-total">${res.data.total}</b> ${t('orders')}</p>
      <div class="scroll"><table class="table"><thead><tr><th>${t('order')}</th><th>${t('status')}</th><th>${t('placedAt')}</th><th>${t('amount')}</th><th>${t('refunded')}</th><th>${t('province')}</th><th>${t('channel')}</th><th>SKU</th></tr></thead>
      <tbody data-testid="drill-rows">${res.data.orders.map((o) => html`<tr><td><a href=${`/console#${o.orderId}`}>${o.number}</a></td><td>${o.status}</td><td>${when(o.placedAt)}</td><td>${yuan(o.paidAmount)}</td><td>${o.refunded ? yuan(o.refunded) : ''}</td><td>${o.province ?? '—'}</td><td>${o.channel ?? '—'}</td><td>${o.skus.join(' ')}</td></tr>`)}</tbody></table></div>`}
  </div>`;
}

const KINDS = ['trend', 'customers', 'coupons', 'heatmap', 'cohorts', 'forecast', 'refunds', 'breaches'];

function Insights() {
  // The filters start from the address (?from=2026-11-01&to=2026-11-28&channel=live), else the last 14 days (and the 14 before them to compare with).
  const [filters, setFilters] = useState(() => {
    const u = new URLSearchParams(location.search);
    return { from: u.get('from') || localDay(-13), to: u.get('to') || localDay(0), channel: u.get('channel') || '', province: u.get('province') || '' };
  });
  const [data, setData] = useState(null);
  const [options, setOptions] = useState({ channel: [], province: [] });
  const [error, setError] = useState(null);
  const [drill, setDrill] = useState(null);
  const [auto, setAuto] = useState(null);
  const q = queryOf(filters);
  const qs = q.toString();

  useEffect(() => {
    let live = true;
    const address = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    history.replaceState(null, '', `?${address}`);
    (async () => {
      const answers = await Promise.all([
        ...KINDS.map((k) => get(`/analytics/insights/${k}?${qs}`)),
        get(`/analytics/insights/breakdown?${withParams(q, { dimension: 'province' })}`),
        get(`/analytics/insights/breakdown?${withParams(q, { dimension: 'channel' })}`),
      ]);
      if (!live) return;
      const bad = answers.find((a) => !a.ok);
      if (bad) {
        setError(bad.status === 401 || bad.status === 403 ? { code: String(bad.status), messages: { 'zh-CN': T.signIn[0], en: T.signIn[1] } } : bad.data);
        setData(null);
        return;
      }
      setError(null);
      const d = {};
      KINDS.forEach((k, i) => (d[k] = answers[i].data));
      d.province = answers[KINDS.length].data.rows;
      d.channel = answers[KINDS.length + 1].data.rows;
      setData(d);
      // The filter choices: every value seen in the range (kept while a filter narrows the rows).
      setOptions((o) => ({
        province: [...new Set([...o.province, ...d.province.map((r) => r.key).filter(Boolean)])].sort(),
        channel: [...new Set([...o.channel, ...d.channel.map((r) => r.key).filter(Boolean)])].sort(),
      }));
      window.__insights = { loaded: (window.__insights?.loaded ?? 0) + 1, query: qs };
    })();
    return () => { live = false; };
  }, [qs]);

  useEffect(() => { get('/analytics/automations').then((r) => r.ok && setAuto(r.data)); }, [qs]);

  const open = (figure, label) => setDrill({ figure, label });
  const submit = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setDrill(null);
    setFilters({ from: f.get('from'), to: f.get('to'), channel: f.get('channel'), province: f.get('province') });
  };

  const tr = data?.trend.figures;
  const hm = data?.heatmap;
  const fc = data?.forecast;
  return html`<div>
    <header>
      <h1>orderkit <span>${t('title')}</span></h1>
      <form class="filters" onSubmit=${submit} data-testid="filters">
        <label>${t('from')}<input type="date" name="from" value=${filters.from} data-testid="from" /></label>
        <label>${t('to')}<input type="date" name="to" value=${filters.to} data-testid="to" /></label>
        <label>${t('channel')}<select name="channel" data-testid="channel"><option value="">${t('all')}</option>${options.channel.map((c) => html`<option value=${c} selected=${c === filters.channel}>${c}</option>`)}</select></label>
        <label>${t('province')}<select name="province" data-testid="province"><option value="">${t('all')}</option>${options.province.map((p) => html`<option value=${p} selected=${p === filters.province}>${p}</option>`)}</select></label>
        <button class="primary" type="submit" data-testid="apply">${t('apply')}</button>
        <a class="button" href=${`/analytics/export?${withParams(q, { format: 'xlsx' })}`} download data-testid="excel">${t('excel')}</a>
        <a class="button" href="/dashboard">Live 实时看板</a>
      </form>
    </header>
    ${error && html`<div class="error" role="alert" data-testid="error"><b>${error.code}</b> ${msg(error.messages)}${error.path && error.path.length ? ` (${error.path.join('.')})` : ''}</div>`}
    ${data && html`
      <section class="kpis" data-testid="kpis">
        <${Kpi} id="placed" label=${t('placed')} value=${tr.placed.current} change=${tr.placed} onDrill=${() => open({ figure: 'placed' }, t('placed'))} />
        <${Kpi} id="paid" label=${t('paid')} value=${tr.paid.current} change=${tr.paid} onDrill=${() => open({ figure: 'paid' }, t('paid'))} />
        <${Kpi} id="gmv" label=${t('gmv')} value=${yuan(tr.gmv.current)} change=${tr.gmv} money onDrill=${() => open({ figure: 'paid' }, t('gmv'))} />
        <${Kpi} id="aov" label=${t('aov')} value=${yuan(tr.averageOrderValue.current)} change=${tr.averageOrderValue} money onDrill=${() => open({ figure: 'paid' }, t('aov'))} />
        <${Kpi} id="refund" label=${t('refundRate')} value=${pct(tr.refundRate.current)} change=${tr.refundRate} rate onDrill=${() => open({ figure: 'refunded' }, t('refundedOrders'))} />
        <${Kpi} id="customers" label=${t('customers')} value=${data.customers.customers} onDrill=${() => open({ figure: 'paid' }, t('customers'))} />
        <${Kpi} id="new" label=${t('newCustomers')} value=${data.customers.newCustomers} onDrill=${() => open({ figure: 'new_customers' }, t('newCustomers'))} />
        <${Kpi} id="repeat" label=${t('repeatRate')} value=${pct(data.customers.repeatRate)} onDrill=${() => open({ figure: 'repeat_customers' }, t('repeatRate'))} />
        <${Kpi} id="coupon" label=${t('couponOrders')} value=${`${data.coupons.couponOrders} · ${pct(data.coupons.couponOrderShare)}`} onDrill=${() => open({ figure: 'coupon' }, t('couponOrders'))} />
        <${Kpi} id="refunded" label=${t('refundedOrders')} value=${tr.refundedOrders.current} change=${tr.refundedOrders} onDrill=${() => open({ figure: 'refunded' }, t('refundedOrders'))} />
      </section>
      <section class="grid">
        ${drill && html`<${Drill} drill=${drill} q=${q} onClose=${() => setDrill(null)} />`}
        <div class="card wide"><h2>${t('forecast')} <small data-testid="forecast-method">${fc.ok ? `Holt-Winters · ${fc.basedOnDays} d` : ''}</small></h2>
          <${Chart} id="chart-forecast" empty=${fc.ok ? null : msg(fc.message)} option=${fc.ok ? forecastOption(fc) : null} /></div>
        <div class="card wide"><h2>${t('heatmap')} <${Csv} q=${q} table="heatmap" /></h2>
          <${Chart} id="chart-heatmap" empty=${hm.max === 0 ? t('none') : null} option=${heatmapOption(hm)}
            onClick=${(p) => open({ figure: 'heatmap', weekday: p.data[1] + 1, hour: p.data[0] }, `${WEEKDAYS[p.data[1]]} ${p.data[0]}:00`)} /></div>
        <${Breakdown} title=${t('byProvince')} rows=${data.province} dimension="province" q=${q} onDrill=${open} />
        <${Breakdown} title=${t('byChannel')} rows=${data.channel} dimension="channel" q=${q} onDrill=${open} />
        <${Cohorts} report=${data.cohorts} q=${q} onDrill=${open} />
        <div class="card"><h2>${t('skus')} <${Csv} q=${q} table="skus" /></h2>
          <div class="scroll"><table class="table" data-testid="skus"><thead><tr><th>SKU</th><th>${t('paid')}</th><th>${t('refundedOrders')}</th><th>${t('refundRate')}</th></tr></thead>
          <tbody>${data.refunds.skus.map((s) => html`<tr class="pick" onClick=${() => open({ figure: 'sku', sku: s.sku }, s.sku)}><td>${s.sku}</td><td>${s.orders}</td><td>${s.refundedOrders}</td><td>${pct(s.refundRate)}</td></tr>`)}</tbody></table></div></div>
        <${Breaches} data=${data.breaches} />
        ${auto && html`<${Automations} data=${auto} />`}
      </section>`}
  </div>`;
}

function heatmapOption(hm) {
  const cells = [];
  hm.cells.forEach((row, d) => row.forEach((n, h) => cells.push([h, d, n])));
  return {
    animation: false,
    tooltip: { position: 'top' },
    grid: { left: 60, right: 16, top: 8, bottom: 76 },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => `${h}`), splitArea: { show: true } },
    yAxis: { type: 'category', data: WEEKDAYS, splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, hm.max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f0fff4', '#07c160', '#0a5c36'] } },
    series: [{ type: 'heatmap', data: cells, label: { show: false } }],
  };
}

function forecastOption(fc) {
  const past = fc.history.map((d) => d.date);
  const future = fc.points.map((p) => p.date);
  const dates = [...past, ...future];
  const pad = (arr, before) => [...Array(before).fill(null), ...arr];
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, right: 0, data: [lang ? 'Orders' : '订单', lang ? 'Forecast' : '预测'] },
    grid: { left: 48, right: 16, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: dates },
    yAxis: { type: 'value' },
    series: [
      { name: lang ? 'Orders' : '订单', type: 'line', data: fc.history.map((d) => d.orders), showSymbol: false, lineStyle: { color: '#1f2329' } },
      { name: 'low', type: 'line', stack: 'band', data: pad(fc.points.map((p) => p.orders.low), past.length), lineStyle: { opacity: 0 }, showSymbol: false, tooltip: { show: false } },
      { name: 'band', type: 'line', stack: 'band', data: pad(fc.points.map((p) => +(p.orders.high - p.orders.low).toFixed(1)), past.length), lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(7, 193, 96, .2)' }, showSymbol: false },
      { name: lang ? 'Forecast' : '预测', type: 'line', data: pad(fc.points.map((p) => p.orders.value), past.length), lineStyle: { type: 'dashed', color: '#07c160' }, showSymbol: false },
    ],
  };
}

document.documentElement.lang = lang ? 'en' : 'zh-CN';
const root = document.getElementById('app');
root.textContent = '';
render(html`<${Insights} />`, root);
