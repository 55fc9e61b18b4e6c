namespace MLNetExt.Transforms;

/// <summary>How the token vectors of one text are turned into one sentence vector.</summary>
public enum EncoderPooling
{
    /// <summary>Average of the token vectors under the attention mask (sentence-transformers' <c>pooling_mode_mean_tokens</c>).</summary>
    Mean,

    /// <summary>The vector of the first token, <c>[CLS]</c> (<c>pooling_mode_cls_token</c>).</summary>
    Cls,

    /// <summary>Element-wise maximum over the token vectors under the attention mask (<c>pooling_mode_max_tokens</c>).</summary>
    Max,

    /// <summary>Sum of the token vectors divided by the square root of the token count (<c>pooling_mode_mean_sqrt_len_tokens</c>).</summary>
    MeanSqrtLen,
}
