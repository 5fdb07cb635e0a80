// TLS over non-blocking sockets with OpenSSL 3: contexts that say plainly what is wrong
// with a certificate or key, and sessions that never wait.
#include "actorscope/tls/tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace actorscope::tls {

namespace {

// The most relevant OpenSSL reason on this thread's queue (the last one), and clears it.
std::string openssl_reason() {
  unsigned long code = 0, last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(last);
  return reason ? reason : "error " + std::to_string(last);
}

// Opens the file first, so that "no such file" and "permission denied" read as such.
bool readable(const std::string& path, const char* what, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) {
    error = std::string("cannot read TLS ") + what + " " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fclose(f);
  return true;
}

SSL_CTX* new_context(bool server, std::string& error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (!ctx) {
    error = "cannot set up TLS: " + openssl_reason();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Writes may take part of a buffer and resume from a moved one; an idle session gives its
  // record buffers back (a slow client costs a few KB, not 2 x 16 KB); a peer's EOF without
  // close_notify ends the stream like an orderly close (HTTP frames its own messages).
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  return ctx;
}

// Loads a certificate chain and its private key into ctx; false with a one-line error.
bool load_identity(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file, std::string& error) {
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    error = "cannot load TLS certificate " + cert_file + ": " + openssl_reason() + " (expected a PEM certificate)";
    return false;
  }
  std::FILE* f = std::fopen(key_file.c_str(), "re");
  EVP_PKEY* key = f ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) std::fclose(f);
  if (!key) {
    error = "cannot load TLS key " + key_file + ": " + openssl_reason() + " (expected an unencrypted PEM private key)";
    return false;
  }
  ERR_clear_error();
  int used = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    error = "TLS key " + key_file + " does not belong to certificate " + cert_file;
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<Context> Context::server(const std::string& cert_file, const std::string& key_file,
                                         std::string& error, const std::string& client_ca_file) {
  if (!readable(cert_file, "certificate", error) || !readable(key_file, "key", error)) return nullptr;
  if (!client_ca_file.empty() && !readable(client_ca_file, "client CA file", error)) return nullptr;
  SSL_CTX* ctx = new_context(true, error);
  if (!ctx) return nullptr;
  std::unique_ptr<Context> out(new Context(ctx, true));
  if (!load_identity(ctx, cert_file, key_file, error)) return nullptr;
  if (!client_ca_file.empty()) {
    ERR_clear_error();
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca_file.c_str());
    if (!names || SSL_CTX_load_verify_locations(ctx, client_ca_file.c_str(), nullptr) != 1) {
      if (names) sk_X509_NAME_pop_free(names, X509_NAME_free);
      error = "cannot load TLS client CA file " + client_ca_file + ": " + openssl_reason() + " (expected PEM certificates)";
      return nullptr;
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return out;
}

std::unique_ptr<Context> Context::client(const std::string& ca_file, std::string& error, const std::string& cert_file,
                                         const std::string& key_file) {
  if (!ca_file.empty() && !readable(ca_file, "CA file", error)) return nullptr;
  if (cert_file.empty() != key_file.empty()) {
    error = "a TLS client certificate needs its key, and a key its certificate (give both or neither)";
    return nullptr;
  }
  if (!cert_file.empty() && (!readable(cert_file, "certificate", error) || !readable(key_file, "key", error))) return nullptr;
  SSL_CTX* ctx = new_context(false, error);
  if (!ctx) return nullptr;
  std::unique_ptr<Context> out(new Context(ctx, false));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  ERR_clear_error();
  int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (ok != 1) {
    error = "cannot load TLS CA file " + ca_file + ": " + openssl_reason() + " (expected PEM certificates)";
    return nullptr;
  }
  if (!cert_file.empty() && !load_identity(ctx, cert_file, key_file, error)) return nullptr;
  return out;
}

bool Context::set_min_version(const std::string& version, std::string& error) {
  int v = version == "1.3" ? TLS1_3_VERSION : version == "1.2" ? TLS1_2_VERSION : 0;
  if (v == 0) {
    error = "TLS version '" + version + "': expected 1.2 or 1.3";
    return false;
  }
  SSL_CTX_set_min_proto_version(ctx_, v);
  return true;
}

Context::~Context() { SSL_CTX_free(ctx_); }

Session::Session(const Context& ctx, int fd, const std::string& host) {
  ssl_ = SSL_new(ctx.native());
  if (!ssl_) return;
  SSL_set_fd(ssl_, fd);
  if (ctx.is_server()) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    if (!host.empty()) {
      in6_addr ip{};
      bool numeric = ::inet_pton(AF_INET, host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, host.c_str(), &ip) == 1;
      if (numeric) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
      } else {
        SSL_set_tlsext_host_name(ssl_, host.c_str());
        SSL_set1_host(ssl_, host.c_str());
      }
    }
  }
}

Session::~Session() { SSL_free(ssl_); }

Io Session::result(int rc) {
  int e = SSL_get_error(ssl_, rc);
  switch (e) {
    case SSL_ERROR_WANT_READ:
      return Io::WantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::WantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::Closed;
    case SSL_ERROR_SYSCALL:
      if (errno == 0 || errno == ECONNRESET || errno == EPIPE) {
        error_ = errno == 0 ? "connection closed" : std::strerror(errno);
        ERR_clear_error();
        return errno == 0 ? Io::Closed : Io::Error;
      }
      error_ = std::strerror(errno);
      ERR_clear_error();
      return Io::Error;
    default: {
      error_ = openssl_reason();
      if (long v = SSL_get_verify_result(ssl_); v != X509_V_OK)
        error_ += std::string(" (") + X509_verify_cert_error_string(v) + ")";
      return Io::Error;
    }
  }
}

Io Session::handshake() {
  if (!ssl_) {
    error_ = "TLS session could not be created";
    return Io::Error;
  }
  if (established_) return Io::Done;
  ERR_clear_error();
  errno = 0;
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    established_ = true;
    return Io::Done;
  }
  Io r = result(rc);
  // The peer went away in the middle of the handshake: a failure, not an orderly close.
  if (r == Io::Closed) {
    error_ = "connection closed during the TLS handshake";
    return Io::Error;
  }
  return r;
}

Io Session::read(char* buf, size_t n, size_t& got) {
  got = 0;
  ERR_clear_error();
  errno = 0;
  if (SSL_read_ex(ssl_, buf, n, &got) == 1) return Io::Done;
  return result(0);
}

Io Session::write(const char* buf, size_t n, size_t& put) {
  put = 0;
  ERR_clear_error();
  errno = 0;
  if (SSL_write_ex(ssl_, buf, n, &put) == 1) return Io::Done;
  return result(0);
}

// Decrypted bytes only: a partial record waiting for its rest is the socket's to announce
// (read-ahead is off, so OpenSSL never holds a whole record the socket has not signalled).
bool Session::has_pending() const { return ssl_ && SSL_pending(ssl_) > 0; }

void Session::shutdown() {
  if (!ssl_ || !established_) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

bool equal_secret(const std::string& a, const std::string& b) {
  // Over the longer length, so that a prefix does not finish early; the lengths' difference
  // is folded in rather than returned first.
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = static_cast<unsigned char>(a.size() != b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

}  // namespace actorscope::tls
