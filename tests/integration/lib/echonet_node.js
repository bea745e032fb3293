// An ECHONET Lite node on the echonet-lite npm package (vendored in tests/fixtures/node, found
// through NODE_PATH) for tests/integration/probe_echonet.sh.
//   node echonet_node.js controllable LOG   storage battery 0x027D01 + home solar 0x027901;
//                                           0x80 (operation status) in their Set property maps,
//                                           Set requests handled by the package (accepted)
//   node echonet_node.js readonly LOG       the same objects, empty Set property maps, every
//                                           Set refused (SetC_SNA, by the package's own path)
//   node echonet_node.js nostatus LOG       like controllable, but the objects have no operation
//                                           status (0x80): nothing to write back
// It also answers requests from its own addresses (ignoreMe false): the TCP relay of the test
// (lib/echonet_tcp_relay.py) asks from 127.0.0.1.
// Every Set request received is logged as "set OBJ EPC=EDT ..." (hex) to LOG.
'use strict';
const fs = require('fs');
const EL = require('echonet-lite');

const mode = process.argv[2];
const log = process.argv[3];
const controllable = mode !== 'readonly';
if (!controllable && mode !== 'readonly' && mode !== 'nostatus') {
	console.error('usage: echonet_node.js controllable|readonly|nostatus LOG');
	process.exit(2);
}

const setmap = mode === 'readonly' ? [0x00] : [0x01, 0x80];
const details = {
	'027d01': { // storage battery
		'80': [0x30], '81': [0x00], '82': [0x00, 0x00, 0x4b, 0x00], '88': [0x42], '8a': [0x00, 0x00, 0x77],
		'9d': [0x02, 0x80, 0x88], '9e': setmap, '9f': [0x08, 0x80, 0x81, 0x82, 0x88, 0x8a, 0x9d, 0x9e, 0x9f],
	},
	'027901': { // home solar power generation
		'80': [0x30], '81': [0x00], '82': [0x00, 0x00, 0x4b, 0x00], '88': [0x42], '8a': [0x00, 0x00, 0x77],
		'9d': [0x02, 0x80, 0x88], '9e': setmap, '9f': [0x08, 0x80, 0x81, 0x82, 0x88, 0x8a, 0x9d, 0x9e, 0x9f],
	},
};
if (mode === 'nostatus')
	for (const eoj in details)
		delete details[eoj]['80'];

EL.initialize(Object.keys(details), (rinfo, els, err) => {
	if (err || !els || els.DEOJ.substr(0, 4) === '0ef0')
		return; // the package answers for the node profile itself
	switch (els.ESV) {
	case EL.SETI:
	case EL.SETC:
		fs.appendFileSync(log, 'set ' + els.DEOJ + ' ' +
			Object.keys(els.DETAILs).map((k) => k + '=' + els.DETAILs[k]).join(' ') + '\n');
		// refused: the object without properties, so the package answers SetC_SNA
		EL.replySetDetail(rinfo, els, controllable ? details : {[els.DEOJ]: {}});
		break;
	case EL.GET:
		EL.replyGetDetail(rinfo, els, details);
		break;
	default:
		break;
	}
}, 4, {v4: '', ignoreMe: false, autoGetProperties: false, debugMode: false});
