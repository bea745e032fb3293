# A Modbus/TCP server for the probe tests, built on Debian's python3-pymodbus: holding
# registers 0..99 hold 17; "readonly" refuses every write (exception 02), as a gateway that
# only publishes measurements does. Every write that reaches the registers is logged to
# argv[3], so the test can see what the probe wrote.
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartTcpServer

port, mode, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Logged(ModbusSequentialDataBlock):
    def setValues(self, address, values):
        with open(log, "a") as f:
            f.write("write %d %s\n" % (address, values))
        super().setValues(address, values)


class ReadOnly(ModbusSlaveContext):
    def validate(self, fc_as_hex, address, count=1):
        if fc_as_hex in (5, 6, 15, 16, 22, 23):
            return False
        return super().validate(fc_as_hex, address, count)


ctx = (ReadOnly if mode == "readonly" else ModbusSlaveContext)(hr=Logged(0, [17] * 100))
StartTcpServer(context=ModbusServerContext(slaves=ctx, single=True), address=("0.0.0.0", port))
