#!/bin/sh
# Makes the certificates of docs/OPERATIONS.md ("TLS between hosts") in DIR, with the same
# openssl commands: a CA, the collector's certificate for HOST, an agent's and a viewer's
# client certificates (mutual TLS) — plus, for the tests, a second CA that signed nothing
# here and an expired collector certificate.
#   tls_certs.sh DIR [HOST]   (HOST: the name or IP address agents and viewers connect to)
set -eu
dir=$1
host=${2:-127.0.0.1}
mkdir -p "$dir"
cd "$dir"
umask 077
case $host in
  *[!0-9.]*) san="DNS:$host" ;;
  *) san="IP:$host" ;;
esac

# 1. The CA that signs the collector's and the clients' certificates (keep ca.key offline).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
  -subj "/CN=actorscope CA" -keyout ca.key -out ca.pem 2>/dev/null

# 2. The collector's certificate: its subjectAltName must be the address clients use.
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > collector.ext
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=actorscope-collector" -keyout collector.key -out collector.csr 2>/dev/null
openssl x509 -req -in collector.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
  -extfile collector.ext -out collector.pem 2>/dev/null

# 3. Client certificates for mutual TLS (--tls-client-ca ca.pem on the collector).
printf 'extendedKeyUsage=clientAuth\n' > client.ext
for who in agent viewer; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=actorscope-$who" -keyout "$who.key" -out "$who.csr" 2>/dev/null
  openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile client.ext -out "$who.pem" 2>/dev/null
done

# For the tests: a CA that signed none of the above, and a collector certificate that expired.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
  -subj "/CN=some other CA" -keyout other-ca.key -out other-ca.pem 2>/dev/null
openssl x509 -req -in collector.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 \
  -extfile collector.ext -out expired.pem 2>/dev/null
cp collector.key expired.key
rm -f ./*.csr ./*.ext ca.srl
chmod 644 ./*.pem
