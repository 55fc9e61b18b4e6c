#nullable enable
// Shared by the MSBuild task below (compiled by RoslynCodeTaskFactory at build time) and by MLNetExt.Trainers
// (compiled with MLNETEXT_RUNTIME defined, for `mlnetext info`). It must build in both places, so it only uses the BCL.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so is linked with GCC 13 and lists a version need on GLIBCXX_3.4.32, which
// the libstdc++ of Debian 12 / Ubuntu 22.04 lacks, so dlopen fails. The only symbol behind that version is
// std::ios_base_library_init(), an anchor GCC 13 references but never calls. Marking that one Vernaux entry weak
// (VER_FLG_WEAK) makes the dynamic loader accept its absence.
//
// ELF64 little-endian layout used here:
//   header:   e_shoff u64 @0x28, e_shentsize u16 @0x3A, e_shnum u16 @0x3C
//   section:  sh_type u32 @+0x04, sh_offset u64 @+0x18, sh_size u64 @+0x20, sh_link u32 @+0x28, sh_info u32 @+0x2C
//   Verneed:  vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32        (16 bytes)
//   Vernaux:  vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32  (16 bytes)
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MLNetExt.Trainers.Native
{
    /// <summary>One version-need entry (Vernaux) of an ELF shared library.</summary>
    public sealed class ElfVersionNeed
    {
        internal ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The library the version is needed from, e.g. <c>libstdc++.so.6</c>.</summary>
        public string File { get; }

        /// <summary>The version name, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
        public string Version { get; }

        /// <summary>The <c>vna_flags</c> field.</summary>
        public ushort Flags { get; }

        /// <summary>Whether the entry is weak (a missing version is tolerated by the loader).</summary>
        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;

        internal long FlagsOffset { get; }

        internal int FlagsOffsetForTests() => (int)FlagsOffset;
    }

    /// <summary>Reads and weakens the version needs (<c>.gnu.version_r</c>) of an ELF64 shared library.</summary>
    public static class ElfVersionNeeds
    {
        /// <summary>The version TorchSharp 0.107 asks for that older libstdc++ builds lack.</summary>
        public const string TorchSharpAnchorVersion = "GLIBCXX_3.4.32";

        /// <summary>The C++ runtime library the version belongs to.</summary>
        public const string LibStdCxx = "libstdc++.so.6";

        internal const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Lists the version needs of an ELF64 little-endian file.</summary>
        /// <exception cref="InvalidDataException">The bytes are not an ELF64 little-endian file.</exception>
        public static List<ElfVersionNeed> Read(byte[] elf)
        {
            if (elf.Length < 0x40 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("Not an ELF file (bad magic).");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var needs = new List<ElfVersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)(sh + 0x04)) != ShtGnuVerneed)
                    continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)(sh + 0x18));
                uint link = BitConverter.ToUInt32(elf, (int)(sh + 0x28));
                uint count = BitConverter.ToUInt32(elf, (int)(sh + 0x2C));
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize + 0x18));

                long need = offset;
                for (uint n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)(need + 2));
                    string file = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)(need + 4)));
                    long aux = need + BitConverter.ToUInt32(elf, (int)(need + 8));
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)(aux + 4));
                        string version = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)(aux + 8)));
                        needs.Add(new ElfVersionNeed(file, version, flags, aux + 4));
                        uint nextAux = BitConverter.ToUInt32(elf, (int)(aux + 12));
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)(need + 12));
                    if (next == 0) break;
                    need += next;
                }
            }
            return needs;
        }

        /// <summary>
        /// Marks the given version need weak. Returns true when the bytes were changed, false when the entry was weak
        /// already or is absent.
        /// </summary>
        public static bool MarkWeak(byte[] elf, string file, string version)
        {
            bool changed = false;
            foreach (ElfVersionNeed need in Read(elf))
            {
                if (need.File != file || need.Version != version || need.IsWeak)
                    continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            return changed;
        }

        /// <summary>
        /// Finds the system's libstdc++.so.6 (the one the loader would pick on a standard Linux layout), or null.
        /// </summary>
        public static string? FindSystemLibStdCxx()
        {
            var folders = new List<string>();
            string? ldPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ldPath))
                folders.AddRange(ldPath.Split(':'));
            folders.AddRange(new[]
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            });
            foreach (string folder in folders)
            {
                if (folder.Length == 0) continue;
                string candidate = Path.Combine(folder, LibStdCxx);
                if (System.IO.File.Exists(candidate))
                    return candidate;
            }
            return null;
        }

        /// <summary>Whether a library file defines the given version name (looks for the name in its bytes).</summary>
        public static bool DefinesVersion(string libraryPath, string version)
        {
            byte[] bytes = System.IO.File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(bytes, needle) >= 0;
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                if (haystack[i] != needle[0]) continue;
                int j = 1;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }

        private static string ReadString(byte[] elf, long offset)
        {
            int end = (int)offset;
            while (end < elf.Length && elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
        }
    }
}

#if !MLNETEXT_RUNTIME
namespace MLNetExt.Trainers.Build
{
    using Microsoft.Build.Framework;
    using MLNetExt.Trainers.Native;

    /// <summary>
    /// MSBuild task: in each given copy of libLibTorchSharp.so, marks the GLIBCXX_3.4.32 need weak when the system
    /// libstdc++ lacks that version. Idempotent; writes through a temporary file so a hard link into the NuGet cache is
    /// replaced, never modified.
    /// </summary>
    public sealed class MarkTorchSharpAnchorWeak : Microsoft.Build.Utilities.Task
    {
        /// <summary>Copies of libLibTorchSharp.so in output or publish folders.</summary>
        [Required]
        public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The NuGet package root; files below it are never modified.</summary>
        public string? NuGetPackageRoot { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux))
                return true;
            string? libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
            if (libstdcxx is null)
            {
                Log.LogMessage(MessageImportance.Normal, "MLNetExt: no system libstdc++.so.6 found; TorchSharp native library left as it is.");
                return true;
            }
            if (ElfVersionNeeds.DefinesVersion(libstdcxx, ElfVersionNeeds.TorchSharpAnchorVersion))
            {
                Log.LogMessage(MessageImportance.Low, $"MLNetExt: {libstdcxx} defines {ElfVersionNeeds.TorchSharpAnchorVersion}; no fix needed.");
                return true;
            }

            string? cache = string.IsNullOrEmpty(NuGetPackageRoot) ? null : Path.GetFullPath(NuGetPackageRoot);
            foreach (ITaskItem item in Libraries)
            {
                string path = Path.GetFullPath(item.ItemSpec);
                if (cache is not null && path.StartsWith(cache, StringComparison.Ordinal))
                {
                    Log.LogMessage(MessageImportance.High, $"MLNetExt: skipping {path}: it is inside the NuGet package cache.");
                    continue;
                }
                byte[] bytes = System.IO.File.ReadAllBytes(path);
                if (!ElfVersionNeeds.MarkWeak(bytes, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.TorchSharpAnchorVersion))
                {
                    Log.LogMessage(MessageImportance.Low, $"MLNetExt: {path} already tolerates a missing {ElfVersionNeeds.TorchSharpAnchorVersion}.");
                    continue;
                }
                string temp = path + ".mlnetext-tmp";
                System.IO.File.WriteAllBytes(temp, bytes);
                System.IO.File.Replace(temp, path, null); // rename over the old file: atomic, and breaks any hard link
                Log.LogMessage(MessageImportance.High,
                    $"MLNetExt: marked the {ElfVersionNeeds.TorchSharpAnchorVersion} need of {path} weak ({libstdcxx} lacks that version; the only symbol behind it is never called).");
            }
            return true;
        }
    }
}
#endif
