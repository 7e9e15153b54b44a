import { randomBytes } from 'node:crypto';
import { defineProvider, type ProviderBuilder } from '@nexus/provider-kit';
import { validationError } from '@nexus/service-kit';
import { createArchiveStore, type ArchiveTables } from '@nexus/stores';
import { LOG_ARCHIVE_LIMITS, LogArchiveInput, LogArchiveVariant, type LogArchiveReceipt } from '@nexus/types';
import { archiveContent } from './archive/archive-content';
import { createLogArchiveMetrics } from './log-archive-metrics';
import { archiveRoutes } from './routes/archive-routes';

/**
 * LOG_ARCHIVE: stores a batch of log lines in full, or only their summary,
 * under an archive id, with the sha256 of what was kept; read back for free.
 */
export const buildLogArchive: ProviderBuilder = async (runtime) => {
  const archives = await createArchiveStore(runtime.database<ArchiveTables>());
  const metrics = createLogArchiveMetrics(runtime.registry);

  return defineProvider({
    serviceId: 'LOG_ARCHIVE',
    input: LogArchiveInput,
    precheck: (input, variant) => {
      if (variant === 'full' && input.lines.length > LOG_ARCHIVE_LIMITS.fullMaxLines)
        throw validationError('too many lines for the full variant', [
          {
            path: 'body.input.lines',
            message: `must hold at most ${LOG_ARCHIVE_LIMITS.fullMaxLines} lines for the full variant (the summary variant takes ${LOG_ARCHIVE_LIMITS.maxLines})`,
          },
        ]);
    },
    run: async (input, context): Promise<LogArchiveReceipt> => {
      const variant = LogArchiveVariant.parse(context.variant);
      const sealed = archiveContent(variant, input.lines);
      const { archive, created } = await archives.save(
        {
          id: `arc_${randomBytes(16).toString('hex')}`,
          paymentId: context.payment.paymentId,
          variant,
          lineCount: input.lines.length,
          storedBytes: sealed.storedBytes,
          contentHash: sealed.contentHash,
          content: sealed.serialised,
        },
        new Date(),
      );
      if (created) {
        metrics.archived(variant, archive.lineCount, archive.storedBytes);
        context.logger.info('logs archived', {
          archiveId: archive.id,
          variant,
          lines: archive.lineCount,
          storedBytes: archive.storedBytes,
        });
      }
      return {
        archiveId: archive.id,
        variant: archive.variant,
        contentHash: archive.contentHash,
        lineCount: archive.lineCount,
        storedBytes: archive.storedBytes,
        createdAt: archive.createdAt.toISOString(),
        url: `/archives/${archive.id}`,
      };
    },
    routes: archiveRoutes(archives, metrics),
    // up to 20,000 lines for a summary
    bodyLimit: '2mb',
  });
};
