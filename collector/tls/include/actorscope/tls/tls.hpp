// TLS (1.2 at least; 1.3 only where asked) over a non-blocking socket that the caller owns
// and polls: every call returns at once and says whether it waits for the socket to become
// readable or writable. Used by /metrics, the agent and viewer listeners, and the viewers.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace actorscope::tls {

// What a call did: finished, needs the socket readable (or writable) before it is called
// again, met the peer's orderly close, or failed (the connection is to be closed).
enum class Io { Done, WantRead, WantWrite, Closed, Error };

// A certificate chain and its key (PEM) for the server side, or trusted CAs for the client
// side. Loading checks what an operator gets wrong: unreadable files, not PEM, a key that
// does not belong to the certificate; each a one-line error naming the file.
class Context {
 public:
  // client_ca_file set: mutual TLS, every client must present a certificate signed by it.
  static std::unique_ptr<Context> server(const std::string& cert_file, const std::string& key_file,
                                         std::string& error, const std::string& client_ca_file = {});
  // ca_file empty: the system's trust store. cert_file and key_file (both or neither): the
  // client's own certificate, for a server that asks for one (mutual TLS).
  static std::unique_ptr<Context> client(const std::string& ca_file, std::string& error,
                                         const std::string& cert_file = {}, const std::string& key_file = {});
  // The oldest protocol version accepted: "1.2" or "1.3". False (error set) otherwise.
  bool set_min_version(const std::string& version, std::string& error);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  bool is_server() const { return server_; }
  ssl_ctx_st* native() const { return ctx_; }

 private:
  Context(ssl_ctx_st* ctx, bool server) : ctx_(ctx), server_(server) {}
  ssl_ctx_st* ctx_;
  bool server_;
};

// One TLS connection over `fd` (not owned: the caller closes it after the session).
class Session {
 public:
  // `host`, for a client: the name the certificate must hold (and SNI); empty: not checked.
  Session(const Context& ctx, int fd, const std::string& host = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Drives the handshake; Done once it is complete.
  Io handshake();
  bool established() const { return established_; }
  // Reads at most n bytes into buf; `got` is what was read (Done: got > 0).
  Io read(char* buf, size_t n, size_t& got);
  // Writes at most n bytes; `put` is what was taken (Done: put > 0).
  Io write(const char* buf, size_t n, size_t& put);
  // Whether decrypted bytes wait inside the session: the socket will not say readable for
  // them, so the caller reads on without waiting for it.
  bool has_pending() const;
  // Sends close_notify, best effort (never waits).
  void shutdown();
  // Why the last call failed, in one line (OpenSSL's reason, or the system's).
  const std::string& error() const { return error_; }

 private:
  Io result(int rc);
  ssl_st* ssl_ = nullptr;
  bool established_ = false;
  std::string error_;
};

// Compares two secrets in time that depends on their lengths only, not on where they differ.
bool equal_secret(const std::string& a, const std::string& b);

}  // namespace actorscope::tls
