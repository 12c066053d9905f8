// Boost 1.74's asio uses std::exchange without including <utility>; include it
// first so every translation unit compiles the same way.
#pragma once
#include <utility>
#include <boost/asio.hpp>

namespace combfs {
namespace asio = boost::asio;
}
