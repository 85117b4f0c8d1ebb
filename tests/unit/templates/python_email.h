// python_email.h — unit-test helper: runs a Python snippet over raw mail bytes (written to a
// temporary file, its path in sys.argv[1]) and returns what it printed; the snippet reads the
// mail with Python's email package, the independent reader our composed mail must satisfy.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <string>

inline std::string python_on_mail(const std::string& raw, const std::string& script) {
  char path[] = "/tmp/madoguchi-python-mail-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, raw.data(), raw.size()) == static_cast<ssize_t>(raw.size()));
  ::close(fd);
  const std::string cmd = "/usr/bin/python3 -c '" + script + "' " + path;
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    CHECK(::pclose(p) == 0);
  }
  std::remove(path);
  return out;
}
