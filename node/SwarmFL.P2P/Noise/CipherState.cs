using System.Buffers.Binary;
using System.Security.Cryptography;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.Noise;

/// <summary>Noise CipherState for ChaChaPoly: a key and a 64-bit counter nonce (Noise spec §5.1, §12.3).</summary>
internal sealed class CipherState : IDisposable
{
    public const int TagSize = 16;
    private ChaCha20Poly1305? _aead;
    private ulong _nonce;

    public bool HasKey => _aead is not null;

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        _nonce = 0;
    }

    /// <summary>Encrypts into <paramref name="output"/> (plaintext length + 16 bytes of tag).</summary>
    public void Encrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        var aead = _aead ?? throw new InvalidOperationException("cipher has no key");
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        aead.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize), associatedData);
    }

    /// <summary>Decrypts ciphertext‖tag into <paramref name="output"/>; a forged or corrupted frame is a protocol violation.</summary>
    public void Decrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> output)
    {
        var aead = _aead ?? throw new InvalidOperationException("cipher has no key");
        if (ciphertext.Length < TagSize) throw new ProtocolViolationException("noise message shorter than its authentication tag");
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        var length = ciphertext.Length - TagSize;
        try
        {
            aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], output[..length], associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new ProtocolViolationException("noise message failed authentication", e);
        }
    }

    private void NextNonce(Span<byte> nonce)
    {
        // 32 zero bits then the little-endian counter; 2^64-1 is reserved, so the counter never wraps in practice.
        if (_nonce == ulong.MaxValue) throw new ProtocolViolationException("noise nonce exhausted");
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], _nonce++);
    }

    public void Dispose() => _aead?.Dispose();
}
