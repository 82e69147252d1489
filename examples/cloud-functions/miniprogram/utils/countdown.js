// Countdown text for a running deadline. The cloud function says how many milliseconds were left
// when it built the view; the page adds that to its own clock once, so a phone whose clock is off
// still counts down the right amount. Integer arithmetic on milliseconds only.

function pad2(n) {
  return n < 10 ? '0' + n : '' + n;
}

// 1_799_000 -> '29:59'; 3_723_000 -> '01:02:03'; 2 days and a bit -> '2天 03:04:05'; 0 -> '00:00'.
function formatRemaining(ms) {
  var total = ms > 0 ? Math.floor(ms / 1000) : 0;
  var seconds = total % 60;
  var minutes = ((total - seconds) / 60) % 60;
  var hours = ((total - seconds - minutes * 60) / 3600) % 24;
  var days = (total - seconds - minutes * 60 - hours * 3600) / 86400;
  var clock = pad2(minutes) + ':' + pad2(seconds);
  if (days > 0) return days + '天 ' + pad2(hours) + ':' + clock;
  if (hours > 0) return pad2(hours) + ':' + clock;
  return clock;
}

// Starts a 1 s ticker. onTick(text, remainingMs) runs at once and every second; onEnd() runs once
// when the deadline passes. Returns stop().
function startCountdown(remainingMs, onTick, onEnd) {
  var endsAt = Date.now() + remainingMs;
  var timer = null;
  function tick() {
    var left = endsAt - Date.now();
    if (left <= 0) {
      onTick(formatRemaining(0), 0);
      stop();
      onEnd();
      return;
    }
    onTick(formatRemaining(left), left);
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }
  timer = setInterval(tick, 1000);
  tick();
  return stop;
}

module.exports = {
  formatRemaining: formatRemaining,
  startCountdown: startCountdown
};
