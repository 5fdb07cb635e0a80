// One connection's bounded output queue.
#include "connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "actorscope/tls/tls.hpp"

namespace actorscope::collector {

void OutputQueue::append(proto::FrameType type, const uint8_t* payload, size_t len) {
  if (off_ > 0 && off_ * 2 >= out_.size()) {
    // Compact once half the buffer has been sent, so the buffer stays near what is queued.
    out_.erase(out_.begin(), out_.begin() + static_cast<ptrdiff_t>(off_));
    off_ = 0;
  }
  size_t at = proto::begin_frame(out_, type, seq_++);
  out_.insert(out_.end(), payload, payload + len);
  proto::finish_frame(out_, at);
}

OutputQueue::Flush OutputQueue::write_to(int fd) {
  while (off_ < out_.size()) {
    ssize_t n = ::send(fd, out_.data() + off_, out_.size() - off_, MSG_NOSIGNAL);
    if (n > 0) {
      off_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Flush::WouldBlock;
    int saved = errno;
    clear();
    errno = saved;
    return Flush::PeerGone;
  }
  clear();
  return Flush::Done;
}

OutputQueue::Flush OutputQueue::write_to(tls::Session& tls, std::string& error) {
  while (off_ < out_.size()) {
    size_t put = 0;
    tls::Io r = tls.write(reinterpret_cast<const char*>(out_.data() + off_), out_.size() - off_, put);
    if (r == tls::Io::Done) {
      off_ += put;
      continue;
    }
    // A write that waits for the peer's bytes (a renegotiation is off, so only a key update)
    // resumes when the loop next reads or writes: both look at this queue.
    if (r == tls::Io::WantWrite || r == tls::Io::WantRead) return Flush::WouldBlock;
    error = r == tls::Io::Closed ? std::string("the peer closed the TLS session") : tls.error();
    clear();
    return Flush::PeerGone;
  }
  clear();
  return Flush::Done;
}

}  // namespace actorscope::collector
