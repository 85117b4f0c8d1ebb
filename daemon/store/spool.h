// spool.h — raw bytes on disk: the spool of incoming mail named by SHA-256, and the atomic
// file write every durable file uses (temp file, fsync, rename, fsync of the directory:
// Postfix's queue file discipline), so a file that exists is complete.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Writes `data` to `path` atomically with mode 0600: temp file in the same directory, fsync,
// rename, fsync of the directory. Throws std::system_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view data);

// Creates `dir` (and missing parents); when it was new, fsyncs its parent so the entry
// survives a power loss. Throws std::system_error on failure.
void create_directory_durably(const std::filesystem::path& dir);

// Reads a whole file. Throws std::system_error on failure.
std::string read_file(const std::filesystem::path& path);

// <store>/spool/<first two hex digits>/<sha256>.eml
std::filesystem::path spool_path(const std::filesystem::path& store_dir, std::string_view sha256);

}  // namespace madoguchi::daemon
