// Moving between pages without stacking one page twice. `open` goes back to a page that is
// already in the stack with the same route and query instead of pushing a second copy; `back`
// returns to the previous page (which refreshes itself in onShow), or replaces this one with
// `fallbackUrl` when there is nothing to go back to (opened from a share or a message).

function parse(url) {
  var q = url.indexOf('?');
  var route = (q < 0 ? url : url.slice(0, q)).replace(/^\//, '');
  var query = {};
  if (q >= 0) {
    url
      .slice(q + 1)
      .split('&')
      .forEach(function (pair) {
        if (!pair) return;
        var eq = pair.indexOf('=');
        query[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
      });
  }
  return { route: route, query: query };
}

function samePage(page, target) {
  if (!page || page.route !== target.route) return false;
  var options = page.options || {};
  // Pages are told apart by their id (an order, an after-sale); other query keys are one-off hints.
  return String(options.id || '') === String(target.query.id || '') && String(options.afterSaleId || '') === String(target.query.afterSaleId || '');
}

function stack() {
  return typeof getCurrentPages === 'function' ? getCurrentPages() || [] : [];
}

function open(url) {
  var target = parse(url);
  var pages = stack();
  for (var i = pages.length - 1; i >= 0; i--) {
    if (samePage(pages[i], target)) {
      var delta = pages.length - 1 - i;
      if (delta > 0) wx.navigateBack({ delta: delta });
      return;
    }
  }
  wx.navigateTo({ url: url });
}

function back(fallbackUrl) {
  var pages = stack();
  if (pages.length > 1) {
    wx.navigateBack({ delta: 1 });
    return;
  }
  wx.redirectTo({ url: fallbackUrl });
}

module.exports = { open: open, back: back, parse: parse };
