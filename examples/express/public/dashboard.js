/* The live dashboard: figures from /dashboard/data, then pushed over /dashboard/stream (SSE) each
   time the change feed reports a committed order change. No build step: plain browser script. */
(function () {
  'use strict';
  var STATUS = {
    pending_payment: '待付款 Awaiting payment', paid: '待发货 To ship', partially_shipped: '部分发货 Part shipped',
    shipped: '待收货 Shipped', delivered: '已签收 Delivered', completed: '已完成 Completed', closed: '已关闭 Closed'
  };
  var STAGE = { payment: '支付 Payment', fulfilment: '发货 Fulfilment', delivery: '配送 Delivery', confirmation: '确认收货 Confirmation' };
  var STEP = { placed: '下单 Placed', paid: '支付 Paid', shipped: '发货 Shipped', completed: '完成 Completed' };
  var money = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' });
  var state = { updates: 0, data: null, changes: 0, rendered: {} };
  window.__dashboard = state;

  function $(id) { return document.getElementById(id); }
  function yuan(fen) { return fen == null ? '–' : money.format(fen / 100); }
  function pct(r) { return r == null ? '–' : (r * 100).toFixed(2) + '%'; }
  function dur(ms) {
    if (ms == null) return '–';
    if (ms < 60000) return Math.round(ms / 1000) + ' s';
    if (ms < 3600000) return (ms / 60000).toFixed(1) + ' min';
    if (ms < 172800000) return (ms / 3600000).toFixed(1) + ' h';
    return (ms / 86400000).toFixed(1) + ' d';
  }
  function setText(id, text) {
    var el = $(id);
    if (el.textContent !== text) {
      el.textContent = text;
      el.classList.remove('bump'); void el.offsetWidth; el.classList.add('bump');
    }
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

  var charts = {};
  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
    return charts[id];
  }
  window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });

  function render(data) {
    var s = data.summary, b = data.bottlenecks;
    state.data = data; state.updates++;
    $('range').textContent = s.range.from.slice(0, 10) + ' → ' + s.range.to.slice(0, 10);
    $('tz').textContent = '(' + s.range.timeZone + ')';
    setText('kpi-placed', String(s.funnel[0].count));
    setText('kpi-paid', String(s.revenue.paidOrders));
    setText('kpi-gmv', yuan(s.revenue.gmv));
    setText('kpi-net', yuan(s.revenue.netRevenue));
    setText('kpi-aov', yuan(s.revenue.averageOrderValue));
    setText('kpi-refund', pct(s.rates.refundRate));
    setText('kpi-timeout', pct(s.rates.paymentTimeoutRate));
    setText('kpi-breaches', String(b.totalBreaches));

    chart('chart-funnel').setOption({
      tooltip: { trigger: 'item', formatter: function (p) { return p.name + ': ' + p.value + (p.data.rate != null ? ' (' + pct(p.data.rate) + ')' : ''); } },
      series: [{ type: 'funnel', sort: 'none', left: '6%', width: '88%', top: 8, bottom: 8, minSize: '30%', gap: 2,
        label: { position: 'inside', color: '#fff', formatter: function (p) { return p.name + '  ' + p.value + (p.data.rate != null ? '  (' + pct(p.data.rate) + ')' : ''); } },
        data: s.funnel.map(function (f) { return { name: STEP[f.step], value: f.count, rate: f.conversionFromPrevious }; }) }]
    });
    chart('chart-daily').setOption({
      tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 48, right: 64, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: s.daily.map(function (d) { return d.date.slice(5); }) },
      yAxis: [{ type: 'value', name: 'orders' }, { type: 'value', name: '¥', axisLabel: { formatter: function (v) { return (v / 100).toFixed(0); } } }],
      series: [
        { name: '下单 Placed', type: 'bar', data: s.daily.map(function (d) { return d.placed; }) },
        { name: '支付 Paid', type: 'bar', data: s.daily.map(function (d) { return d.paid; }) },
        { name: '净收入 Net ¥', type: 'line', yAxisIndex: 1, smooth: true, data: s.daily.map(function (d) { return d.netRevenue; }) }
      ]
    });
    // A log scale drawn on a linear axis (bar length = log10(hours / 0.01)), so that minutes of
    // payment and days of confirmation fit on one chart and every bar grows from the left.
    var LOG_MIN = 0.01;
    function logLen(ms) { return ms == null ? null : Math.max(0, Math.log10(Math.max(ms / 3600000, LOG_MIN) / LOG_MIN)); }
    chart('chart-stages').setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (items) {
        var d = s.stageDurations[items[0].dataIndex];
        return items[0].name + ' (n=' + d.count + ')<br>p50 ' + dur(d.p50) + '<br>p90 ' + dur(d.p90) + '<br>p99 ' + dur(d.p99);
      } },
      legend: { top: 0 },
      grid: { left: 96, right: 24, top: 32, bottom: 28 },
      yAxis: { type: 'category', data: s.stageDurations.map(function (d) { return STAGE[d.stage]; }) },
      xAxis: { type: 'value', min: 0, max: 5, interval: 1, axisLabel: { formatter: function (x) { return dur(LOG_MIN * Math.pow(10, x) * 3600000); } } },
      series: ['p50', 'p90', 'p99'].map(function (p) {
        return { name: p, type: 'bar', data: s.stageDurations.map(function (d) { return logLen(d[p]); }) };
      })
    });
    chart('chart-status').setOption({
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: ['40%', '70%'], label: { formatter: '{b}: {c}' },
        data: Object.keys(s.statusCounts).filter(function (k) { return s.statusCounts[k] > 0; })
          .map(function (k) { return { name: STATUS[k] || k, value: s.statusCounts[k] }; }) }]
    });
    ['chart-funnel', 'chart-daily', 'chart-stages', 'chart-status'].forEach(function (id) {
      $(id).setAttribute('data-rendered', String(state.updates));
    });

    $('slowest').textContent = b.slowestStage ? '· slowest 最慢: ' + STAGE[b.slowestStage] : '';
    $('breaches').innerHTML = b.breaches.slice(0, 8).map(function (x) {
      return '<tr><td>' + esc(x.number) + '</td><td>' + STAGE[x.stage] + (x.open ? ' ⏳' : '') + '</td><td>' + dur(x.elapsedMs) +
        '</td><td class="over">+' + dur(x.overdueMs) + '</td><td>' + esc(STATUS[x.status] || x.status) + '</td></tr>';
    }).join('') || '<tr><td colspan="5">No breaches 无超时</td></tr>';
    $('skus').innerHTML = s.topSkus.map(function (x) {
      return '<tr><td>' + esc(x.sku) + ' ' + esc(x.title) + '</td><td>' + x.units + '</td><td>' + yuan(x.revenue) + '</td></tr>';
    }).join('');
  }

  var OUTCOME = { applied: 'applied 已补记', stray: 'stray, refunded 异常支付已退回', recorded: 'recorded 已记入台账', flagged: 'needs a person 需人工处理', waiting: 'waiting 等待' };
  function renderReconciliation(r) {
    if (!r) return;
    $('recon-day').textContent = '(' + r.billDate + ')';
    var c = r.counts;
    $('recon-counts').textContent = 'Matched 一致 ' + c.matched + ' · applied 补记 ' + c.applied + ' · stray 异常 ' + c.stray +
      ' · recorded 记账 ' + c.recorded + ' · flagged 待处理 ' + c.flagged + ' · waiting 等待 ' + c.waiting;
    $('recon-findings').innerHTML = r.findings.slice(0, 12).map(function (f) {
      return '<tr><td>' + esc(f.message.en) + '<br><small>' + esc(f.message['zh-CN']) + '</small></td><td>' + esc(f.orderNumber || f.refundId || '') +
        '</td><td>' + yuan(f.amount) + '</td><td>' + esc(OUTCOME[f.outcome] || f.outcome) + (f.code ? ' <small>' + esc(f.code) + '</small>' : '') + '</td></tr>';
    }).join('') || '<tr><td colspan="4">Everything matches 全部一致</td></tr>';
  }

  function addChange(c, fresh) {
    var li = document.createElement('li');
    if (fresh) li.className = 'new';
    li.setAttribute('data-order-id', c.orderId);
    li.innerHTML = '<time>' + esc(new Date(c.at).toLocaleTimeString('zh-CN', { hour12: false })) + '</time><span>' + esc(c.number || c.orderId) +
      '</span><span>v' + c.version + '</span><b>' + esc(STATUS[c.status] || c.status) + '</b>';
    var feed = $('feed');
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 50) feed.removeChild(feed.lastChild);
    state.changes++;
  }

  fetch('/dashboard/data').then(function (r) {
    // Staff only: without a session, sign in at the console first.
    if (r.status === 401 || r.status === 403) { location.href = '/console'; return new Promise(function () {}); }
    return r.json();
  }).then(function (data) {
    render(data);
    renderReconciliation(data.reconciliation);
    (data.recent || []).slice().reverse().forEach(function (c) { addChange(c, false); });
  });

  var es = new EventSource('/dashboard/stream');
  es.addEventListener('open', function () { $('live').textContent = 'live 实时'; $('live').classList.add('on'); });
  es.addEventListener('error', function () { $('live').textContent = 'reconnecting… 重连中'; $('live').classList.remove('on'); });
  es.addEventListener('figures', function (e) { render(JSON.parse(e.data)); });
  es.addEventListener('change', function (e) { addChange(JSON.parse(e.data), true); });
})();
