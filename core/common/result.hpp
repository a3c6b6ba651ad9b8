// The one Result type for expected failures (bad input, missing variable, full queue).
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace productgraph::common {

/// An error meant for a human: what went wrong, naming the variable, file or field.
struct Error {
    std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning a failed Result.
inline tl::unexpected<Error> fail(std::string message)
{
    return tl::unexpected<Error>(Error{std::move(message)});
}

}  // namespace productgraph::common
