// spool.h — raw bytes on disk: the spool of incoming mail named by SHA-256, and the atomic
// file write every durable file uses (temp file, fsync, rename, fsync of the directory:
// Postfix's queue file discipline), so a file that exists is complete.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Writes `data` to `path` atomically with mode 0600: temp file in the same directory, fsync,
// rename, fsync of the directory. Throws std::system_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view data);

// The same for several files at once (paths distinct, their directories existing): every temp
// file is written and its writeback started, each is fsynced (several at a time, so that the
// kernel joins them into few device flushes), then renamed, then each directory touched is
// fsynced once (likewise). On return every file is complete under its name; on a failure (thrown,
// std::system_error) the files not yet renamed are removed.
struct FileToWrite {
  std::filesystem::path path;
  std::string_view data;
};
void write_files_atomically(const std::vector<FileToWrite>& files);

// Creates `dir` (and missing parents); when it was new, fsyncs its parent so the entry
// survives a power loss. Throws std::system_error on failure.
void create_directory_durably(const std::filesystem::path& dir);

// Reads a whole file. Throws std::system_error on failure.
std::string read_file(const std::filesystem::path& path);

// <store>/spool/<first two hex digits>/<sha256>.eml
std::filesystem::path spool_path(const std::filesystem::path& store_dir, std::string_view sha256);

}  // namespace madoguchi::daemon
