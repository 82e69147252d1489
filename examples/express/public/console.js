// The merchant's order console (docs/express.md, "Order console"): preact + htm served from
// node_modules by this server, no build step and nothing loaded from the internet. zh-CN first, en beside.
import { html, render, useEffect, useRef, useState } from '/vendor/htm-preact.js';

const T = {
  title: ['订单管理后台', 'Order console'],
  signIn: ['登录', 'Sign in'], signOut: ['退出', 'Sign out'], username: ['用户名', 'User name'], password: ['密码', 'Password'],
  all: ['全部', 'All'], afterSales: ['售后待办', 'After-sales'],
  photos: ['买家图片', 'Photos'],
  number: ['订单号', 'Order number'], phone: ['手机号（或后四位）', 'Phone (or last 4 digits)'], sku: ['商品 SKU', 'SKU'],
  from: ['下单起', 'Placed from'], to: ['下单止', 'Placed to'], search: ['查询', 'Search'], reset: ['清空', 'Clear'],
  export: ['导出 CSV', 'Export CSV'], orders: ['订单', 'Orders'], status: ['状态', 'Status'], placed: ['下单时间', 'Placed'],
  customer: ['收货人', 'Recipient'], total: ['实付', 'Total'], items: ['商品', 'Items'], none: ['没有符合条件的订单', 'No orders match'],
  detail: ['订单详情', 'Order detail'], pick: ['从左侧选择一个订单（↑↓ 回车）', 'Pick an order on the left (↑ ↓ Enter)'],
  money: ['金额明细', 'Money'], itemsTotal: ['商品总额', 'Items'], discount: ['优惠', 'Discounts'], freight: ['运费', 'Freight'],
  points: ['积分抵扣', 'Points'], adjust: ['改价', 'Price change'], paid: ['已付', 'Paid'], refunded: ['已退', 'Refunded'],
  payments: ['支付记录', 'Payment attempts'], refunds: ['退款', 'Refunds'], timeline: ['操作记录', 'Timeline'], address: ['收货地址', 'Address'],
  ship: ['发货', 'Ship'], trackingNo: ['快递单号', 'Tracking number'], carrier: ['快递公司', 'Carrier'],
  price: ['改价', 'Change price'], newTotal: ['新的应付金额（元）', 'New total (yuan)'], reason: ['原因', 'Reason'],
  changeAddress: ['改地址', 'Change address'], name: ['姓名', 'Name'], mobile: ['手机号', 'Phone'], province: ['省', 'Province'], city: ['市', 'City'], district: ['区', 'District'], street: ['详细地址', 'Street'],
  remark: ['备注', 'Note'], remarks: ['商家备注（买家不可见）', 'Merchant notes (never shown to the shopper)'], save: ['保存', 'Save'],
  approve: ['同意', 'Approve'], reject: ['拒绝', 'Reject'], received: ['确认收到退货', 'Return received'],
  propose: ['协商退款', 'Propose an amount'], proposeAmount: ['协商退款金额（元）', 'Amount to refund (yuan)'],
  importTitle: ['批量发货（CSV 导入）', 'Ship many (CSV import)'], importHelp: ['表头：number,trackingNo,expressCompany', 'Header: number,trackingNo,expressCompany'],
  csvFile: ['CSV 文件', 'CSV file'], csvText: ['或粘贴 CSV 内容', 'or paste the CSV'], import: ['导入并发货', 'Import and ship'],
  shippedRows: ['已发货', 'Shipped'], refusedRows: ['未处理的行', 'Refused rows'], row: ['行', 'Row'], why: ['原因', 'Why'],
  done: ['已完成', 'Done'], live: ['实时更新', 'Live'], lang: ['English', '中文'], noAfterSale: ['无售后', 'No after-sales'],
  kind: ['类型', 'Kind'], amount: ['金额', 'Amount'],
  proposal: ['待买家答复的协商', 'Offer awaiting the shopper'],
  returnFee: ['退货运费', 'Return shipping fee'], fee: ['运费（元）', 'Fee (yuan)'], treatment: ['处理方式', 'Treatment'],
  feeRefund: ['商家承担（加入退款）', 'Shop pays (added to the refund)'], feeDeduct: ['从退款中扣除', 'Deducted from the refund'],
  shipExchange: ['寄出换货商品', 'Ship the replacement'], freightRefund: ['退运费（仅运费）', 'Refund freight only'],
  freightAmount: ['金额（元，空为全部剩余运费）', 'Amount (yuan; empty: all the freight left)'],
};
const STATUSES = ['pending_payment', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'];
const STATUS_TEXT = {
  pending_payment: ['待付款', 'Awaiting payment'], paid: ['待发货', 'To ship'], partially_shipped: ['部分发货', 'Partly shipped'],
  shipped: ['待收货', 'Shipped'], delivered: ['已签收', 'Delivered'], completed: ['已完成', 'Completed'], closed: ['已关闭', 'Closed'],
};
const AS_TEXT = {
  requested: ['待审核', 'Requested'], approved: ['已同意', 'Approved'], rejected: ['已拒绝', 'Rejected'], awaiting_return: ['待买家退货', 'Awaiting return'],
  returned: ['已收到退货', 'Returned'], refunding: ['退款中', 'Refunding'], refunded: ['已退款', 'Refunded'], cancelled: ['已撤销', 'Cancelled'],
  exchanged: ['已换货', 'Exchanged'],
};
const fen = (yuanText) => Math.round(Number(yuanText) * 100);

let lang = localStorage.getItem('orderkit.lang') === 'en' ? 1 : 0;
const t = (k) => (T[k] ? T[k][lang] : k);
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang ? 'en-GB' : 'zh-CN', { hour12: false }) : '');
let csrf = '';

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  const r = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const type = r.headers.get('content-type') || '';
  const data = type.includes('json') ? await r.json() : await r.text();
  return { ok: r.ok, status: r.status, data };
}
const errorText = (res) => (res.data && res.data.messages ? `${res.data.code}: ${res.data.messages[lang ? 'en' : 'zh-CN']}` : `HTTP ${res.status}`);

function Login({ onIn }) {
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const res = await api('POST', '/auth/login', { username: f.get('username'), password: f.get('password') });
    if (!res.ok) return setError(errorText(res));
    csrf = res.data.csrfToken;
    onIn(res.data.user);
  };
  return html`<section class="panel login" aria-labelledby="login-title">
    <h2 id="login-title">${t('title')} · ${t('signIn')}</h2>
    <form onSubmit=${submit}>
      <label>${t('username')}<input name="username" autocomplete="username" required autofocus /></label>
      <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required /></label>
      ${error && html`<div class="notice error" role="alert">${error}</div>`}
      <button type="submit">${t('signIn')}</button>
    </form>
  </section>`;
}

function Field({ label, name, ...rest }) {
  return html`<label>${label}<input name=${name} ...${rest} /></label>`;
}

function ActionForm({ title, onSubmit, children, id }) {
  const [msg, setMsg] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const res = await onSubmit(new FormData(e.target));
    setMsg(res.ok ? { ok: true, text: t('done') } : { ok: false, text: errorText(res) });
    if (res.ok) e.target.reset();
  };
  return html`<form class="edit" onSubmit=${submit} aria-labelledby=${id}>
    <h3 id=${id}>${title}</h3>
    <div class="row">${children}<button type="submit">${title}</button></div>
    ${msg && html`<div class=${`notice ${msg.ok ? 'ok' : 'error'}`} role=${msg.ok ? 'status' : 'alert'}>${msg.text}</div>`}
  </form>`;
}

function Detail({ id, version, onChanged }) {
  const [order, setOrder] = useState(null);
  const [events, setEvents] = useState([]);
  const [actions, setActions] = useState([]);
  // Only the latest load may paint: a slower answer for the order shown before (or for an older
  // version) must not overwrite the one asked for last.
  const latest = useRef(0);
  const load = async () => {
    const mine = ++latest.current;
    const [o, h, a] = await Promise.all([api('GET', `/orders/${encodeURIComponent(id)}`), api('GET', `/orders/${encodeURIComponent(id)}/history`), api('GET', `/orders/${encodeURIComponent(id)}/actions`)]);
    if (mine !== latest.current) return;
    if (o.ok) setOrder(o.data);
    if (h.ok) setEvents(h.data);
    if (a.ok) setActions(a.data.actions);
  };
  useEffect(() => { load(); }, [id, version]);
  if (!order) return html`<p class="muted">…</p>`;
  const send = async (path, body) => {
    const res = await api('POST', `/orders/${encodeURIComponent(order.id)}${path}`, body);
    if (res.ok) { await load(); onChanged(); }
    return res;
  };
  const p = order.pricing;
  const can = (type) => actions.includes(type);
  const refunded = order.refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amount, 0);
  const a = order.address;
  return html`<div>
    <h2>${t('detail')} · <span data-testid="detail-number">${order.number}</span> <span class=${`status ${order.status}`}>${STATUS_TEXT[order.status][lang]}</span></h2>
    ${a && html`<p><strong>${t('address')}：</strong>${a.name} ${a.phone} ${a.province}${a.city}${a.district} ${a.detail}</p>`}
    <h3>${t('money')}</h3>
    <dl class="money">
      <dt>${t('itemsTotal')}</dt><dd>${yuan(p.itemsTotal)}</dd>
      <dt>${t('discount')}</dt><dd>-${yuan(p.discountTotal)}</dd>
      <dt>${t('freight')}</dt><dd>${yuan(p.freight)}</dd>
      <dt>${t('points')}</dt><dd>-${yuan(p.pointsDeduction)}</dd>
      ${p.adjustments.map((x) => html`<dt class="muted">${x.reason[lang ? 'en' : 'zh-CN']}</dt><dd class="muted">${yuan(x.amount)}</dd>`)}
      <dt><strong>${t('total')}</strong></dt><dd><strong>${yuan(p.total)}</strong></dd>
      <dt>${t('paid')}</dt><dd>${yuan(order.payment.paidAmount)}</dd>
      <dt>${t('refunded')}</dt><dd>${yuan(refunded)}</dd>
    </dl>
    <h3>${t('payments')}</h3>
    <table><thead><tr><th>out_trade_no</th><th>${t('amount')}</th><th>${t('status')}</th><th>${t('placed')}</th></tr></thead>
      <tbody>${order.payment.attempts.map((x) => html`<tr><td>${x.outTradeNo}</td><td>${yuan(x.amount)}</td><td>${x.status}</td><td>${when(x.createdAt)}</td></tr>`)}</tbody></table>
    <h3>${t('afterSales')}</h3>
    ${order.afterSales.length === 0 ? html`<p class="muted">${t('noAfterSale')}</p>` : order.afterSales.map((s) => html`<div class="row" data-testid="after-sale">
      <span>${s.kind} · ${yuan(s.amount)} · <span class="status">${AS_TEXT[s.status][lang]}</span> · ${s.reason}</span>
      ${s.photos && s.photos.length > 0 && html`<span class="muted" data-testid="after-sale-photos" title=${s.photos.join('\n')}>${t('photos')} ${s.photos.length}</span>`}
      ${s.status === 'requested' && html`<button onClick=${() => send(`/after-sales/${s.id}/approve`, {})}>${t('approve')}</button>
        <button onClick=${() => { const v = Number(prompt(t('proposeAmount'))); if (Number.isFinite(v) && v > 0) send(`/after-sales/${s.id}/proposals`, { amount: Math.round(v * 100) }); }}>${t('propose')}</button>
        <button class="danger" onClick=${() => { const r = prompt(t('reason')); if (r) send(`/after-sales/${s.id}/reject`, { reason: r }); }}>${t('reject')}</button>`}
      ${(s.status === 'awaiting_return' || s.status === 'approved') && (s.kind === 'return_and_refund' || s.kind === 'exchange') && html`<button onClick=${() => send(`/after-sales/${s.id}/return-received`, {})}>${t('received')}</button>`}
      ${s.proposals && s.proposals.length > 0 && s.proposals[s.proposals.length - 1].status === 'pending' && html`<span class="muted" data-testid="open-proposal"> · ${t('proposal')} ${yuan(s.proposals[s.proposals.length - 1].amount)}</span>`}
      ${s.returnShippingFee && html`<span class="muted"> · ${t('returnFee')} ${yuan(s.returnShippingFee.fee)} (${t(s.returnShippingFee.treatment === 'refund' ? 'feeRefund' : 'feeDeduct')})</span>`}
    </div>
    ${can('SET_RETURN_SHIPPING_FEE') && s.status === 'awaiting_return' && s.kind === 'return_and_refund' && !s.returnShippingFee && html`<${ActionForm} key=${`f-fee-${s.id}`} id=${`f-fee-${s.id}`} title=${t('returnFee')} onSubmit=${(f) => send(`/after-sales/${s.id}/return-shipping-fee`, { fee: fen(f.get('fee')), treatment: f.get('treatment') })}>
      <${Field} label=${t('fee')} name="fee" type="number" step="0.01" min="0" required />
      <label>${t('treatment')}<select name="treatment"><option value="refund">${t('feeRefund')}</option><option value="deduct">${t('feeDeduct')}</option></select></label><//>`}
    ${can('SHIP_EXCHANGE') && s.status === 'returned' && s.kind === 'exchange' && html`<${ActionForm} key=${`f-exchange-${s.id}`} id=${`f-exchange-${s.id}`} title=${t('shipExchange')} onSubmit=${(f) => send(`/after-sales/${s.id}/exchange-shipment`, { trackingNo: f.get('trackingNo'), expressCompany: f.get('expressCompany') })}>
      <${Field} label=${t('trackingNo')} name="trackingNo" required /><${Field} label=${t('carrier')} name="expressCompany" value="顺丰速运" required /><//>`}`)}
    <h3>${t('refunds')}</h3>
    <table><thead><tr><th>ID</th><th>${t('amount')}</th><th>${t('status')}</th></tr></thead>
      <tbody>${order.refunds.map((r) => html`<tr><td>${r.id}</td><td>${yuan(r.amount)}</td><td>${r.status}</td></tr>`)}</tbody></table>
    ${can('SHIP') && html`<${ActionForm} key="f-ship" id="f-ship" title=${t('ship')} onSubmit=${(f) => send('/ship', { trackingNo: f.get('trackingNo'), expressCompany: f.get('expressCompany') })}>
      <${Field} label=${t('trackingNo')} name="trackingNo" required /><${Field} label=${t('carrier')} name="expressCompany" value="顺丰速运" required /><//>`}
    ${can('REQUEST_FREIGHT_REFUND') && html`<${ActionForm} key="f-freight" id="f-freight" title=${t('freightRefund')} onSubmit=${(f) => send('/after-sales/freight', { reason: f.get('reason'), ...(f.get('amount') ? { amount: fen(f.get('amount')) } : {}) })}>
      <${Field} label=${t('freightAmount')} name="amount" type="number" step="0.01" min="0.01" /><${Field} label=${t('reason')} name="reason" required /><//>`}
    ${can('ADJUST_PRICE') && html`<${ActionForm} key="f-price" id="f-price" title=${t('price')} onSubmit=${(f) => send('/price', { newTotal: Math.round(Number(f.get('newTotal')) * 100), reason: f.get('reason') })}>
      <${Field} label=${t('newTotal')} name="newTotal" type="number" step="0.01" min="0.01" required /><${Field} label=${t('reason')} name="reason" required /><//>`}
    ${can('CHANGE_ADDRESS') && html`<${ActionForm} key="f-address" id="f-address" title=${t('changeAddress')} onSubmit=${(f) => send('/address', { address: Object.fromEntries(['name', 'phone', 'province', 'city', 'district', 'detail'].map((k) => [k, f.get(k)])) })}>
      ${['name', 'phone', 'province', 'city', 'district'].map((k) => html`<${Field} key=${k} label=${t(k === 'phone' ? 'mobile' : k)} name=${k} value=${a ? a[k] : ''} required />`)}<${Field} label=${t('street')} name="detail" value=${a ? a.detail : ''} required /><//>`}
    <${ActionForm} key="f-remark" id="f-remark" title=${t('remark')} onSubmit=${(f) => send('/remarks', { text: f.get('text') })}><${Field} label=${t('remark')} name="text" maxlength="200" required /><//>
    <h3>${t('remarks')}</h3>
    <ul>${order.merchantNotes.map((n) => html`<li>${n.text} <span class="muted">— ${n.by.id} ${when(n.at)}</span></li>`)}</ul>
    <h3>${t('timeline')}</h3>
    <ol class="timeline">${events.map((e) => html`<li><strong>${e.type}</strong> ${e.from ?? '—'} → ${e.to} <span class="muted">${e.actor.type}:${e.actor.id ?? e.actor.gateway ?? ''} · ${when(e.at)}</span></li>`)}</ol>
  </div>`;
}

function Import({ onChanged }) {
  const [report, setReport] = useState(null);
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const file = f.get('file');
    const csv = file && file.size ? await file.text() : f.get('csv');
    const res = await api('POST', '/console/ship-import', { csv });
    setError(res.ok ? '' : errorText(res));
    setReport(res.ok ? res.data : res.data && res.data.details ? res.data.details : null);
    onChanged();
  };
  return html`<form class="edit" onSubmit=${submit} aria-labelledby="import-title">
    <h2 id="import-title">${t('importTitle')}</h2>
    <p class="muted">${t('importHelp')}</p>
    <div class="row">
      <label>${t('csvFile')}<input type="file" name="file" accept=".csv,text/csv" /></label>
      <label>${t('csvText')}<textarea name="csv" rows="3" cols="40"></textarea></label>
      <button type="submit">${t('import')}</button>
    </div>
    ${error && html`<div class="notice error" role="alert">${error}</div>`}
    ${report && html`<div role="status" data-testid="import-report">
      <p>${t('shippedRows')}: ${report.shipped.length} · ${t('refusedRows')}: ${report.refused.length}</p>
      ${report.refused.length > 0 && html`<table><thead><tr><th>${t('row')}</th><th>${t('number')}</th><th>${t('why')}</th></tr></thead>
        <tbody>${report.refused.map((r) => html`<tr><td>${r.row}</td><td>${r.number}</td><td>${r.code}: ${r.messages[lang ? 'en' : 'zh-CN']}</td></tr>`)}</tbody></table>`}
    </div>`}
  </form>`;
}

function Console({ me, onOut }) {
  const [tab, setTab] = useState('');
  const [filters, setFilters] = useState({});
  const [page, setPage] = useState({ items: [], counts: {} });
  const [selected, setSelected] = useState(null);
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState(false);
  const searchRef = useRef(null);
  const query = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
    if (tab === 'afterSales') q.set('afterSales', 'open');
    else if (tab) q.set('status', tab);
    return q.toString();
  };
  const listed = useRef(0);
  useEffect(() => {
    // A list asked for earlier (a live reload under the old filters, say) must not replace a later one.
    const mine = ++listed.current;
    api('GET', `/console/orders?${query()}`).then((r) => r.ok && mine === listed.current && setPage(r.data));
  }, [tab, filters, tick]);
  useEffect(() => {
    // Live: the dashboard stream carries every committed change (staff only); reload after a burst settles.
    const es = new EventSource('/dashboard/stream');
    let timer = 0;
    es.onopen = () => setLive(true);
    es.onerror = () => setLive(false);
    es.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(() => setTick((n) => n + 1), 300); });
    const keys = (e) => { if (e.key === '/' && document.activeElement.tagName !== 'INPUT' && document.activeElement.tagName !== 'TEXTAREA') { e.preventDefault(); searchRef.current && searchRef.current.focus(); } };
    addEventListener('keydown', keys);
    return () => { es.close(); removeEventListener('keydown', keys); };
  }, []);
  const total = STATUSES.reduce((s, k) => s + (page.counts[k] || 0), 0);
  const submit = (e) => { e.preventDefault(); setFilters(Object.fromEntries(new FormData(e.target))); };
  const rowKeys = (e, i) => {
    const rows = e.currentTarget.parentElement.children;
    if (e.key === 'ArrowDown' && rows[i + 1]) { e.preventDefault(); rows[i + 1].focus(); }
    if (e.key === 'ArrowUp' && rows[i - 1]) { e.preventDefault(); rows[i - 1].focus(); }
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); setSelected(page.items[i].id); }
  };
  const tabs = [['', t('all'), total], ...STATUSES.map((s) => [s, STATUS_TEXT[s][lang], page.counts[s] || 0]), ['afterSales', t('afterSales'), null]];
  return html`<div>
    <header>
      <h1>${t('title')}</h1>
      <span aria-live="polite">${live ? '● ' + t('live') : '○'}</span>
      <span>${me.username ?? me.id} (${me.role})</span>
      <a href="/dashboard">看板 Dashboard</a>
      <button class="link" onClick=${() => { lang = 1 - lang; localStorage.setItem('orderkit.lang', lang ? 'en' : 'zh-CN'); document.documentElement.lang = lang ? 'en' : 'zh-CN'; setTick((n) => n + 1); }}>${t('lang')}</button>
      <button class="link" onClick=${async () => { await api('POST', '/auth/logout'); onOut(); }}>${t('signOut')}</button>
    </header>
    <main>
      <section class="panel" aria-labelledby="orders-title">
        <h2 id="orders-title" class="sr-only">${t('orders')}</h2>
        <div class="tabs" role="tablist" aria-label=${t('status')}>
          ${tabs.map(([k, label, n]) => html`<button role="tab" aria-selected=${tab === k} data-tab=${k} onClick=${() => setTab(k)}>${label}${n !== null && html`<span class="count">${n}</span>`}</button>`)}
        </div>
        <form class="search" onSubmit=${submit} role="search">
          <label>${t('number')}<input name="number" ref=${searchRef} /></label>
          <label>${t('phone')}<input name="phone" inputmode="numeric" /></label>
          <label>${t('sku')}<input name="sku" /></label>
          <label>${t('from')}<input name="from" type="date" /></label>
          <label>${t('to')}<input name="to" type="date" /></label>
          <button type="submit">${t('search')}</button>
          <button type="reset" class="secondary" onClick=${() => setFilters({})}>${t('reset')}</button>
          <a href=${`/console/orders.csv?${query()}`} download="orders.csv">${t('export')}</a>
        </form>
        <table aria-label=${t('orders')}>
          <thead><tr><th>${t('number')}</th><th>${t('status')}</th><th>${t('customer')}</th><th>${t('items')}</th><th>${t('total')}</th><th>${t('placed')}</th></tr></thead>
          <tbody>${page.items.map((o, i) => html`<tr tabindex="0" aria-selected=${selected === o.id} onClick=${() => setSelected(o.id)} onKeyDown=${(e) => rowKeys(e, i)} data-number=${o.number}>
            <td>${o.number}</td><td><span class=${`status ${o.status}`}>${STATUS_TEXT[o.status][lang]}</span></td>
            <td>${o.address ? `${o.address.name} ${o.address.phone}` : o.customerId}</td>
            <td>${o.lines.map((l) => `${l.sku}×${l.quantity}`).join(' ')}</td><td>${yuan(o.pricing.total)}</td><td>${when(o.createdAt)}</td></tr>`)}</tbody>
        </table>
        ${page.items.length === 0 && html`<p class="muted">${t('none')}</p>`}
        <${Import} onChanged=${() => setTick((n) => n + 1)} />
      </section>
      <section class="panel" aria-label=${t('detail')}>
        ${selected ? html`<${Detail} id=${selected} version=${tick} onChanged=${() => setTick((n) => n + 1)} />` : html`<p class="muted">${t('pick')}</p>`}
      </section>
    </main>
  </div>`;
}

function App() {
  const [me, setMe] = useState(undefined);
  useEffect(() => {
    api('GET', '/auth/me').then((r) => {
      if (r.ok && r.data.role !== 'shopper') { csrf = r.data.csrfToken || ''; setMe(r.data); } else setMe(null);
    });
  }, []);
  if (me === undefined) return html`<p>…</p>`;
  if (me === null) return html`<${Login} onIn=${(u) => setMe({ ...u, id: u.username })} />`;
  return html`<${Console} me=${me} onOut=${() => setMe(null)} />`;
}

document.documentElement.lang = lang ? 'en' : 'zh-CN';
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
