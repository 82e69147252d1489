// After-sale photos (docs/mini-program.md "After-sale photos"): picked with wx.chooseMedia, uploaded
// to cloud storage under the order's own folder, and sent to the `order` function as file ids.
// Every function resolves (never rejects).

var MAX_PHOTOS = 9;
var MAX_BYTES = 10 * 1024 * 1024;

// Resolves to { files: [{ path, size }], refused: n (too big), error? } for at most `room` photos.
function choose(room) {
  if (room <= 0) return Promise.resolve({ files: [], refused: 0, error: '最多上传 ' + MAX_PHOTOS + ' 张图片' });
  return new Promise(function (resolve) {
    wx.chooseMedia({
      count: room,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      sizeType: ['compressed'],
      success: function (res) {
        var files = [];
        var refused = 0;
        var picked = (res && res.tempFiles) || [];
        for (var i = 0; i < picked.length; i++) {
          var f = picked[i];
          if (typeof f.size === 'number' && f.size > MAX_BYTES) refused += 1;
          else if (files.length < room) files.push({ path: f.tempFilePath, size: f.size || 0 });
          else refused += 1;
        }
        resolve({ files: files, refused: refused });
      },
      fail: function () {
        // Closing the picker is not an error.
        resolve({ files: [], refused: 0 });
      }
    });
  });
}

function extensionOf(path) {
  var m = /\.([a-zA-Z0-9]{1,5})$/.exec(path || '');
  return m ? m[1].toLowerCase() : 'jpg';
}

// Uploads every photo without a file id yet, one after another. Resolves to the photos with their
// file ids, and ok: false when any upload failed (those keep no id; a second try uploads them only).
function uploadAll(orderId, photos) {
  var out = photos.map(function (p) {
    return Object.assign({}, p);
  });
  var failed = 0;
  var i = 0;
  function next() {
    if (i >= out.length) return Promise.resolve({ ok: failed === 0, photos: out });
    var p = out[i++];
    if (p.fileID) return next();
    var cloudPath = 'after-sale/' + orderId + '/' + Date.now().toString(36) + '-' + i + '-' + Math.floor(Math.random() * 1e9).toString(36) + '.' + extensionOf(p.path);
    return wx.cloud
      .uploadFile({ cloudPath: cloudPath, filePath: p.path })
      .then(function (res) {
        if (res && typeof res.fileID === 'string' && res.fileID) p.fileID = res.fileID;
        else failed += 1;
      })
      .catch(function () {
        failed += 1;
      })
      .then(next);
  }
  return next();
}

module.exports = { choose: choose, uploadAll: uploadAll, MAX_PHOTOS: MAX_PHOTOS, MAX_BYTES: MAX_BYTES };
