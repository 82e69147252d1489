// wx-server-sdk for the docs' cloud-function samples (test/docs/samples.suite.ts puts this folder on
// NODE_PATH): the test stub of test/cloud-deploy, its database the cloud database stand-in from
// this repository's build.
const path = require('path');
const stub = require('../../../cloud-deploy/wx-server-sdk-stub');

const state = globalThis.__wxServerSdkStub;
if (!state.db) state.db = require(path.join(__dirname, '../../../../dist/testing.cjs')).createCloudDatabaseStandIn();
module.exports = stub;
