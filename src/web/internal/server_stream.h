// ServerStream: the byte stream of one accepted connection, plain TCP or TLS over TCP, chosen
// when the connection is accepted. It meets Asio's AsyncReadStream and AsyncWriteStream
// requirements for callback completion handlers, so Beast's HTTP reads and asio::async_write
// work on either kind.
//
// Timeouts and the socket live on the TCP layer (tcp()), whatever the kind.
#ifndef SUNDIAL_WEB_INTERNAL_SERVER_STREAM_H_
#define SUNDIAL_WEB_INTERNAL_SERVER_STREAM_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace sundial::web::internal {

class ServerStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  // tls null: plain TCP. The context is kept alive as long as the stream.
  ServerStream(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls)
      : tls_context_(std::move(tls)) {
    if (tls_context_) {
      tls_.emplace(std::move(socket), *tls_context_);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  executor_type get_executor() { return tcp().get_executor(); }
  boost::beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  bool is_tls() const { return tls_.has_value(); }

  // TLS only: the server side of the handshake. REQUIRES: is_tls().
  template <class Handler>
  void async_handshake(Handler&& handler) {
    tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
  }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

 private:
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_SERVER_STREAM_H_
