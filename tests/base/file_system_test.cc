#include "base/file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>

namespace sundial {
namespace {

using ::testing::ElementsAre;

// The same contract tests run against both implementations.
class FileSystemContractTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      fs_ = &mem_;
      root_ = "/root";
    } else {
      fs_ = FileSystem::Default();
      char tmpl[] = "/tmp/sundial_fs_test_XXXXXX";
      ASSERT_NE(mkdtemp(tmpl), nullptr);
      root_ = tmpl;
    }
    ASSERT_TRUE(fs_->CreateDirs(root_).ok());
  }
  void TearDown() override { ASSERT_TRUE(fs_->RemoveAll(root_).ok()); }

  std::string Path(std::string_view name) { return JoinPath(root_, name); }
  void Write(const std::string& path, std::string_view data) {
    auto f = fs_->OpenWritable(path, OpenMode::kTruncate);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  MemFileSystem mem_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

TEST_P(FileSystemContractTest, WriteReadAppend) {
  Write(Path("a"), "hello");
  auto f = fs_->OpenWritable(Path("a"), OpenMode::kAppend);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 5u);
  ASSERT_TRUE((*f)->Append(" world").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_FALSE((*f)->Append("x").ok());
  EXPECT_EQ(*fs_->ReadFile(Path("a")), "hello world");
  EXPECT_EQ(*fs_->FileSize(Path("a")), 11u);

  auto r = fs_->OpenReadable(Path("a"));
  ASSERT_TRUE(r.ok());
  char buf[16];
  EXPECT_EQ(*(*r)->Read(6, 16, buf), "world");
  EXPECT_EQ(*(*r)->Read(20, 4, buf), "");
}

TEST_P(FileSystemContractTest, CreateNewFailsIfExists) {
  Write(Path("a"), "x");
  EXPECT_TRUE(absl::IsAlreadyExists(fs_->OpenWritable(Path("a"), OpenMode::kCreateNew).status()));
  EXPECT_TRUE(absl::IsNotFound(fs_->OpenReadable(Path("missing")).status()));
  EXPECT_TRUE(absl::IsNotFound(fs_->Remove(Path("missing"))));
}

TEST_P(FileSystemContractTest, ListRenameRemoveTruncate) {
  ASSERT_TRUE(fs_->CreateDirs(Path("d/e")).ok());
  Write(Path("d/2"), "two");
  Write(Path("d/1"), "one");
  Write(Path("d/e/x"), "x");
  EXPECT_THAT(*fs_->List(Path("d")), ElementsAre("1", "2", "e"));
  EXPECT_TRUE(*fs_->IsDirectory(Path("d/e")));
  EXPECT_FALSE(*fs_->IsDirectory(Path("d/1")));

  ASSERT_TRUE(fs_->Rename(Path("d/1"), Path("d/2")).ok());
  EXPECT_THAT(*fs_->List(Path("d")), ElementsAre("2", "e"));
  EXPECT_EQ(*fs_->ReadFile(Path("d/2")), "one");

  ASSERT_TRUE(fs_->CreateDirs(Path("f")).ok());
  Write(Path("f/old"), "old");
  ASSERT_TRUE(fs_->Rename(Path("d/e"), Path("f")).ok());  // replaces a non-empty dir
  EXPECT_THAT(*fs_->List(Path("f")), ElementsAre("x"));
  EXPECT_FALSE(*fs_->Exists(Path("d/e")));

  ASSERT_TRUE(fs_->Truncate(Path("d/2"), 1).ok());
  EXPECT_EQ(*fs_->ReadFile(Path("d/2")), "o");
  ASSERT_TRUE(fs_->SyncDir(Path("d")).ok());

  EXPECT_FALSE(fs_->Remove(Path("f")).ok());  // not empty
  ASSERT_TRUE(fs_->Remove(Path("d/2")).ok());
  ASSERT_TRUE(fs_->RemoveAll(Path("f")).ok());
  ASSERT_TRUE(fs_->RemoveAll(Path("nothing")).ok());
  EXPECT_THAT(*fs_->List(Path("")), ElementsAre("d"));
}

TEST_P(FileSystemContractTest, WriteFileAtomic) {
  ASSERT_TRUE(fs_->WriteFileAtomic(Path("meta.json"), "{}").ok());
  EXPECT_EQ(*fs_->ReadFile(Path("meta.json")), "{}");
  EXPECT_THAT(*fs_->List(root_), ElementsAre("meta.json"));
}

INSTANTIATE_TEST_SUITE_P(Impl, FileSystemContractTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Mem" : "Posix"; });

TEST(MemFileSystem, CrashDropsUnsyncedBytes) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/d").ok());
  auto f = *fs.OpenWritable("/d/f", OpenMode::kCreateNew);
  ASSERT_TRUE(f->Append("durable").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  auto g = *fs.OpenWritable("/d/never_synced", OpenMode::kCreateNew);
  ASSERT_TRUE(g->Append("gone").ok());
  EXPECT_EQ(*fs.ReadFile("/d/f"), "durable-lost");

  fs.Crash();
  EXPECT_EQ(*fs.ReadFile("/d/f"), "durable");
  EXPECT_EQ(*fs.ReadFile("/d/never_synced"), "");
  // Handles from before the crash write into the void.
  ASSERT_TRUE(f->Append("zombie").ok());
  EXPECT_EQ(*fs.ReadFile("/d/f"), "durable");
}

TEST(MemFileSystem, StrictDirectorySyncLosesUnsyncedEntries) {
  MemFileSystem fs;
  fs.set_strict_directory_sync(true);
  ASSERT_TRUE(fs.CreateDirs("/d").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  auto f = *fs.OpenWritable("/d/a", OpenMode::kCreateNew);
  ASSERT_TRUE(f->Append("x").ok());
  ASSERT_TRUE(f->Sync().ok());
  fs.Crash();
  EXPECT_FALSE(*fs.Exists("/d/a"));

  f = *fs.OpenWritable("/d/a", OpenMode::kCreateNew);
  ASSERT_TRUE(f->Append("x").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  ASSERT_TRUE(fs.Rename("/d/a", "/d/b").ok());
  fs.Crash();  // the rename was not made durable
  EXPECT_THAT(*fs.List("/d"), ElementsAre("a"));
  EXPECT_EQ(*fs.ReadFile("/d/a"), "x");
}

TEST(MemFileSystem, EntriesInsideANonDurableDirectoryVanish) {
  MemFileSystem fs;
  fs.set_strict_directory_sync(true);
  ASSERT_TRUE(fs.CreateDirs("/d/e").ok());
  auto f = *fs.OpenWritable("/d/e/f", OpenMode::kCreateNew);
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs.SyncDir("/d/e").ok());  // but "/d" and "/d/e" themselves were never synced
  fs.Crash();
  EXPECT_FALSE(*fs.Exists("/d/e/f"));
  ASSERT_TRUE(fs.CreateDirs("/d/e").ok());
  EXPECT_TRUE(fs.List("/d/e")->empty());
}

TEST(MemFileSystem, FaultHookFailsOperationsAndTearsAppends) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/d").ok());
  auto f = *fs.OpenWritable("/d/f", OpenMode::kCreateNew);
  fs.set_torn_append_bytes(3);
  fs.SetFaultHook([](MemFileSystem::Op op, const std::string& path) {
    if (op == MemFileSystem::Op::kAppend) return absl::ResourceExhaustedError("disk full");
    if (op == MemFileSystem::Op::kRename) return absl::InternalError("EIO");
    return absl::OkStatus();
  });
  EXPECT_TRUE(absl::IsResourceExhausted(f->Append("abcdef")));
  EXPECT_EQ(*fs.Contents("/d/f"), "abc");
  EXPECT_FALSE(fs.Rename("/d/f", "/d/g").ok());
  EXPECT_TRUE(*fs.Exists("/d/f"));
  fs.SetFaultHook(nullptr);
  EXPECT_TRUE(f->Append("g").ok());
  EXPECT_EQ(*fs.Contents("/d/f"), "abcg");
}

}  // namespace
}  // namespace sundial
