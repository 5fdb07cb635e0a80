// The agent's TLS (OpenSSL 3), or, in a build without it, a clear refusal. Bytes go through
// a socket BIO of our own that sends with MSG_NOSIGNAL: the app's SIGPIPE setup is untouched.
#include "transport_tls.hpp"

#if ACTORSCOPE_AGENT_TLS

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "clock.hpp"

namespace actorscope::agent {
namespace {

int fd_of(BIO* b) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b))); }

int bio_write(BIO* b, const char* buf, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::send(fd_of(b), buf, static_cast<size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* buf, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::recv(fd_of(b), buf, static_cast<size_t>(len), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(b);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

BIO_METHOD* socket_method() {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "actorscope socket");
    if (!method) return;
    BIO_meth_set_write(method, bio_write);
    BIO_meth_set_read(method, bio_read);
    BIO_meth_set_ctrl(method, bio_ctrl);
  });
  return method;
}

std::string reason() {
  unsigned long code = 0, last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "unknown error";
  const char* r = ERR_reason_error_string(last);
  return r ? r : "error " + std::to_string(last);
}

bool readable(const std::string& path, const char* what, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) {
    error = std::string("cannot read ") + what + " " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fclose(f);
  return true;
}

// Why the last call failed: OpenSSL's reason, the certificate check's verdict, or errno.
std::string failure(SSL* ssl, int rc) {
  int e = SSL_get_error(ssl, rc);
  std::string why;
  if (e == SSL_ERROR_SYSCALL) {
    why = errno ? std::strerror(errno) : "the collector closed the connection";
    ERR_clear_error();
  } else if (e == SSL_ERROR_ZERO_RETURN) {
    why = "the collector closed the TLS session";
  } else {
    why = reason();
  }
  if (long v = SSL_get_verify_result(ssl); v != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(v) + ")";
  return why;
}

// Waits for the socket as the last call asked, until deadline_ns; false on timeout.
bool wait_for(int fd, int ssl_error, uint64_t deadline_ns) {
  uint64_t now = mono_ns();
  if (now >= deadline_ns) return false;
  pollfd p{fd, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
  int r = ::poll(&p, 1, static_cast<int>((deadline_ns - now) / 1'000'000) + 1);
  return r > 0 || (r < 0 && errno == EINTR);
}

}  // namespace

bool tls_built_in() { return true; }

std::unique_ptr<TlsStream> TlsStream::connect(int fd, const TlsSettings& t, const std::string& host, uint64_t deadline_ns,
                                              std::string& error) {
  if (!t.ca_file.empty() && !readable(t.ca_file, "ACTORSCOPE_TLS_CA", error)) return nullptr;
  if (!t.cert_file.empty() && !readable(t.cert_file, "ACTORSCOPE_TLS_CERT", error)) return nullptr;
  if (!t.key_file.empty() && !readable(t.key_file, "ACTORSCOPE_TLS_KEY", error)) return nullptr;
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    error = "cannot set up TLS: " + reason();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int ok = t.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) : SSL_CTX_load_verify_locations(ctx, t.ca_file.c_str(), nullptr);
  if (ok != 1) {
    error = "cannot load ACTORSCOPE_TLS_CA " + t.ca_file + ": " + reason() + " (expected PEM certificates)";
    SSL_CTX_free(ctx);
    return nullptr;
  }
  if (!t.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, t.cert_file.c_str()) != 1) {
      error = "cannot load ACTORSCOPE_TLS_CERT " + t.cert_file + ": " + reason() + " (expected a PEM certificate)";
      SSL_CTX_free(ctx);
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, t.key_file.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
      error = "cannot use ACTORSCOPE_TLS_KEY " + t.key_file + " with ACTORSCOPE_TLS_CERT: " + reason() +
              " (expected the certificate's unencrypted PEM key)";
      SSL_CTX_free(ctx);
      return nullptr;
    }
  }
  SSL* ssl = SSL_new(ctx);
  BIO* bio = socket_method() ? BIO_new(socket_method()) : nullptr;
  if (!ssl || !bio) {
    error = "cannot set up TLS: " + reason();
    if (bio) BIO_free(bio);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return nullptr;
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl, bio, bio);
  std::unique_ptr<TlsStream> out(new TlsStream(ctx, ssl, fd));
  if (!host.empty()) {
    in6_addr ip{};
    if (::inet_pton(AF_INET, host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, host.c_str(), &ip) == 1) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, host.c_str());
      SSL_set1_host(ssl, host.c_str());
    }
  }
  SSL_set_connect_state(ssl);
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_do_handshake(ssl);
    if (rc == 1) return out;
    int e = SSL_get_error(ssl, rc);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      error = failure(ssl, rc);
      return nullptr;
    }
    if (!wait_for(fd, e, deadline_ns)) {
      error = "no TLS handshake within the deadline";
      return nullptr;
    }
  }
}

TlsStream::~TlsStream() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

bool TlsStream::send_all(const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error) {
  while (n > 0) {
    ERR_clear_error();
    errno = 0;
    size_t put = 0;
    int rc = SSL_write_ex(ssl_, p, n, &put);
    if (rc == 1) {
      p += put;
      n -= put;
      continue;
    }
    int e = SSL_get_error(ssl_, rc);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      error = failure(ssl_, rc);
      return false;
    }
    if (!wait_for(fd_, e, deadline_ns)) {
      error = "send timed out (collector not reading)";
      return false;
    }
  }
  return true;
}

long TlsStream::receive(uint8_t* buf, size_t cap, int wait_ms, std::string& error) {
  uint64_t deadline = mono_ns() + static_cast<uint64_t>(wait_ms > 0 ? wait_ms : 0) * 1'000'000;
  for (;;) {
    ERR_clear_error();
    errno = 0;
    size_t got = 0;
    int rc = SSL_read_ex(ssl_, buf, cap, &got);
    if (rc == 1) return static_cast<long>(got);
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      if (e == SSL_ERROR_SYSCALL && errno == 0) return 0;  // the peer's EOF without close_notify
      error = failure(ssl_, rc);
      return -1;
    }
    if (wait_ms <= 0 || !wait_for(fd_, e, deadline)) return -2;
  }
}

void TlsStream::close_notify() {
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

}  // namespace actorscope::agent

#else  // built without OpenSSL

namespace actorscope::agent {

bool tls_built_in() { return false; }

std::unique_ptr<TlsStream> TlsStream::connect(int, const TlsSettings&, const std::string&, uint64_t, std::string& error) {
  error = "this agent was built without TLS";
  return nullptr;
}
TlsStream::~TlsStream() = default;
bool TlsStream::send_all(const uint8_t*, size_t, uint64_t, std::string& error) {
  error = "this agent was built without TLS";
  return false;
}
long TlsStream::receive(uint8_t*, size_t, int, std::string&) { return -1; }
void TlsStream::close_notify() {}

}  // namespace actorscope::agent

#endif
