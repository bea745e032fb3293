#!/usr/bin/env python3
"""Record protocol replies of real Debian daemons on loopback (ephemeral ports) as fuzz seeds:
busybox httpd (200, 401 basic, 404) into fuzz/corpus/http, snmpd (v1 GetNext, v2c Get, v2c
noSuchObject) into fuzz/corpus/snmp. Run from the source root; every wait is bounded."""
import os, socket, subprocess, sys, tempfile, time

def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port

def http(tmp):
    www = os.path.join(tmp, 'www')
    os.makedirs(os.path.join(www, 'adm'))
    open(os.path.join(www, 'index.html'), 'w').write(
        '<html><title>Router</title><form action=login><input type=password name=pw></form></html>\n')
    open(os.path.join(www, 'adm', 'index.html'), 'w').write('secret\n')
    open(os.path.join(tmp, 'httpd.conf'), 'w').write('/adm:admin:admin\n')
    port = free_port(socket.SOCK_STREAM)
    p = subprocess.Popen(['busybox', 'httpd', '-f', '-p', '127.0.0.1:%d' % port, '-h', www,
                          '-c', os.path.join(tmp, 'httpd.conf'), '-r', 'Router'])
    try:
        for _ in range(50):
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        for name, path in (('busybox-httpd-200', b'/'), ('busybox-httpd-401-basic', b'/adm/'),
                           ('busybox-httpd-404', b'/nothing')):
            c = socket.create_connection(('127.0.0.1', port), timeout=3)
            c.sendall(b'GET ' + path + b' HTTP/1.0\r\nHost: device\r\n\r\n')
            data = b''
            while len(data) < 65536:
                d = c.recv(65536)
                if not d:
                    break
                data += d
            c.close()
            open(os.path.join('fuzz/corpus/http', name), 'wb').write(data)
    finally:
        p.terminate()
        p.wait()

def tlv(t, v):
    assert len(v) < 128
    return bytes([t, len(v)]) + v

def snmp(tmp):
    conf = os.path.join(tmp, 'snmpd.conf')
    open(conf, 'w').write('rocommunity public 127.0.0.1\nsysDescr jcstar seed device\n')
    port = free_port(socket.SOCK_DGRAM)
    p = subprocess.Popen(['snmpd', '-f', '-Lo', '-C', '-c', conf, '-p', os.path.join(tmp, 'pid'),
                          'udp:127.0.0.1:%d' % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def request(version, oid, pdu):
        vb = tlv(0x30, tlv(0x06, oid) + b'\x05\x00')
        body = tlv(0x02, b'\x01') + tlv(0x02, b'\x00') + tlv(0x02, b'\x00') + tlv(0x30, vb)
        return tlv(0x30, tlv(0x02, bytes([version])) + tlv(0x04, b'public') + tlv(pdu, body))
    try:
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(1)
        for name, v, oid, pdu in (('snmpd-v2c-sysdescr', 1, b'\x2b\x06\x01\x02\x01\x01\x01\x00', 0xa0),
                                  ('snmpd-v1-getnext', 0, b'\x2b\x06\x01\x02\x01\x01', 0xa1),
                                  ('snmpd-v2c-nosuchobject', 1, b'\x2b\x06\x01\x02\x01\x63\x01\x00', 0xa0)):
            for _ in range(30):
                c.sendto(request(v, oid, pdu), ('127.0.0.1', port))
                try:
                    d, _ = c.recvfrom(65536)
                    open(os.path.join('fuzz/corpus/snmp', name), 'wb').write(d)
                    break
                except socket.timeout:
                    pass
            else:
                sys.exit('snmpd did not answer')
    finally:
        p.terminate()
        p.wait()

with tempfile.TemporaryDirectory() as tmp:
    http(tmp)
    snmp(tmp)
