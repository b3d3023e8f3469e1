#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "apsched/sdk/job.h"

namespace apsched::sdk {

std::string exception_type_name(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> readable(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                  std::free);
  return status == 0 && readable ? readable.get() : mangled;
}

}  // namespace apsched::sdk
