using System.Security.Cryptography;
using System.Text;

namespace SwarmFL.P2P.Noise;

/// <summary>Noise SymmetricState with SHA-256 (Noise spec §5.2): chaining key, handshake hash and the current cipher.</summary>
internal sealed class SymmetricState : IDisposable
{
    public const int HashLength = 32;
    private byte[] _chainingKey;
    private byte[] _handshakeHash;
    public CipherState Cipher { get; } = new();

    public SymmetricState(string protocolName)
    {
        var name = Encoding.ASCII.GetBytes(protocolName);
        _handshakeHash = name.Length <= HashLength ? name.Concat(new byte[HashLength - name.Length]).ToArray() : SHA256.HashData(name);
        _chainingKey = (byte[])_handshakeHash.Clone();
    }

    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    public void MixHash(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(_handshakeHash);
        sha.AppendData(data);
        _handshakeHash = sha.GetHashAndReset();
    }

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        var (chainingKey, key) = Hkdf2(inputKeyMaterial);
        _chainingKey = chainingKey;
        Cipher.InitializeKey(key);
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        byte[] ciphertext;
        if (Cipher.HasKey)
        {
            ciphertext = new byte[plaintext.Length + CipherState.TagSize];
            Cipher.Encrypt(_handshakeHash, plaintext, ciphertext);
        }
        else
        {
            ciphertext = plaintext.ToArray();
        }
        MixHash(ciphertext);
        return ciphertext;
    }

    public byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        byte[] plaintext;
        if (Cipher.HasKey)
        {
            if (ciphertext.Length < CipherState.TagSize) throw new Framing.ProtocolViolationException("noise handshake message is truncated");
            plaintext = new byte[ciphertext.Length - CipherState.TagSize];
            Cipher.Decrypt(_handshakeHash, ciphertext, plaintext);
        }
        else
        {
            plaintext = ciphertext.ToArray();
        }
        MixHash(ciphertext);
        return plaintext;
    }

    /// <summary>The two transport ciphers: the initiator sends with the first and the responder with the second.</summary>
    public (CipherState First, CipherState Second) Split()
    {
        var (k1, k2) = Hkdf2([]);
        var first = new CipherState();
        first.InitializeKey(k1);
        var second = new CipherState();
        second.InitializeKey(k2);
        return (first, second);
    }

    /// <summary>Noise's HKDF with two outputs (Noise spec §4.3): HMAC-SHA256 extract with the chaining key, then two expand steps.</summary>
    private (byte[], byte[]) Hkdf2(ReadOnlySpan<byte> inputKeyMaterial)
    {
        // Written out rather than HKDF.DeriveKey because OpenSSL's HKDF refuses the empty input key material of Split().
        Span<byte> tempKey = stackalloc byte[HashLength];
        HMACSHA256.HashData(_chainingKey, inputKeyMaterial, tempKey);
        var output1 = HMACSHA256.HashData(tempKey, [0x01]);
        Span<byte> input2 = stackalloc byte[HashLength + 1];
        output1.CopyTo(input2);
        input2[HashLength] = 0x02;
        var output2 = HMACSHA256.HashData(tempKey, input2);
        return (output1, output2);
    }

    public void Dispose() => Cipher.Dispose();
}
