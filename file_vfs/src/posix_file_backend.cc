// posix_file_backend.cc: see posix_file_backend.h.
#include "indexie/posix_file_backend.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace indexie {

PosixFileBackend::~PosixFileBackend() {
  for (const auto& [id, fd] : fds_) ::close(fd);
}

int PosixFileBackend::Open(const std::string& path) {
  if (path.empty() || path.find('/') != std::string::npos) return 0;
  const int fd = ::open((directory_ + "/" + path).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  const int id = next_id_++;
  fds_[id] = fd;
  return id;
}

int64_t PosixFileBackend::Size(int id) {
  auto it = fds_.find(id);
  struct stat st;
  if (it == fds_.end() || ::fstat(it->second, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

int64_t PosixFileBackend::Read(int id, void* out, size_t length, int64_t offset) {
  auto it = fds_.find(id);
  if (it == fds_.end()) return -1;
  ++counts_.reads;
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(it->second, static_cast<char*>(out) + done, length - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;  // end of file: a short read
    done += static_cast<size_t>(n);
  }
  counts_.read_bytes += static_cast<int64_t>(done);
  return static_cast<int64_t>(done);
}

int PosixFileBackend::Write(int id, const void* data, size_t length, int64_t offset) {
  auto it = fds_.find(id);
  if (it == fds_.end()) return -1;
  ++counts_.writes;
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pwrite(it->second, static_cast<const char*>(data) + done, length - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == ENOSPC || errno == EDQUOT ? kFileBackendFull : -1;
    done += static_cast<size_t>(n);
  }
  return 0;
}

int PosixFileBackend::Truncate(int id, int64_t size) {
  auto it = fds_.find(id);
  return it != fds_.end() && ::ftruncate(it->second, size) == 0 ? 0 : -1;
}

int PosixFileBackend::Sync(int id) {
  auto it = fds_.find(id);
  if (it == fds_.end()) return -1;
  ++counts_.syncs;
  return ::fdatasync(it->second) == 0 ? 0 : -1;
}

void PosixFileBackend::Close(int id) {
  auto it = fds_.find(id);
  if (it == fds_.end()) return;
  ::close(it->second);
  fds_.erase(it);
}

}  // namespace indexie
