// platform.subnet is a network address: docker refuses a subnet with host bits set.
import { intToIp, parseSubnet } from '../../units.ts';
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'subnet',
  codes: ['FAB225'],
  run({ spec, report }) {
    const subnet = spec.platform?.subnet;
    if (subnet === undefined) return;
    const { network, prefix } = parseSubnet(subnet);
    const corrected = `${intToIp(network)}/${prefix}`;
    if (corrected !== subnet)
      report(
        'FAB225',
        ['platform', 'subnet'],
        `platform.subnet ${subnet} has host bits set; the network it lies in is ${corrected}`,
        `write subnet: ${corrected} (docker refuses a subnet that is not a network address)`,
      );
  },
});
