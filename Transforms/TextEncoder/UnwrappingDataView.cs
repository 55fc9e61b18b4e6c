using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms;

/// <summary>
/// The outermost view of <c>model.Transform(data, cancellationToken)</c>: passes everything through, but when a stock
/// ML.NET transform read our cursors on its worker threads and wrapped what they threw (its splitter and consolidator
/// raise <see cref="InvalidOperationException"/> "Splitter/consolidator worker encountered exception..."), rethrows
/// the <see cref="OperationCanceledException"/> or <see cref="ObjectDisposedException"/> inside, so that
/// <c>catch (OperationCanceledException)</c> works for the caller.
/// </summary>
internal sealed class UnwrappingDataView(IDataView inner) : IDataView
{
    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        Guard(() => new Cursor(inner.GetRowCursor(columnsNeeded, rand)));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        Guard(() => inner.GetRowCursorSet(columnsNeeded, n, rand).Select(c => (DataViewRowCursor)new Cursor(c)).ToArray());

    /// <summary>Runs <paramref name="call"/>, rethrowing a cancellation or disposal that a worker wrapped.</summary>
    private static T Guard<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (Wrapped(ex) is { } original)
        {
            ExceptionDispatchInfo.Throw(original);
            throw;
        }
    }

    private static Exception? Wrapped(Exception ex)
    {
        if (ex is OperationCanceledException or ObjectDisposedException)
            return null;
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is OperationCanceledException or ObjectDisposedException)
                return inner;
        }
        return null;
    }

    private sealed class Cursor(DataViewRowCursor inner) : DataViewRowCursor
    {
        public override DataViewSchema Schema => inner.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override bool MoveNext() => Guard(inner.MoveNext);

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<TValue> getter = inner.GetGetter<TValue>(column);
            return (ref TValue value) =>
            {
                try
                {
                    getter(ref value);
                }
                catch (Exception ex) when (Wrapped(ex) is { } original)
                {
                    ExceptionDispatchInfo.Throw(original);
                }
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
