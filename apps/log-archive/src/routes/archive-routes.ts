import type { Router } from 'express';
import { notFound, parseInput } from '@nexus/service-kit';
import type { ArchiveStore } from '@nexus/stores';
import { LogArchiveIdParams } from '@nexus/types';
import { toLogArchive } from '../archive-view';
import type { LogArchiveMetrics } from '../log-archive-metrics';

/** The free reads of LOG_ARCHIVE. */
export function archiveRoutes(archives: ArchiveStore, metrics: LogArchiveMetrics): (router: Router) => void {
  return (router) => {
    /** An archive as it was stored (its lines, or its summary) with the hash to check it by. */
    router.get('/archives/:id', async (req, res) => {
      const { id } = parseInput(LogArchiveIdParams, req.params, 'params');
      const archive = await archives.get(id);
      metrics.read(archive !== undefined);
      if (!archive) throw notFound('ARCHIVE_NOT_FOUND', `no archive ${id}`);
      res.json(toLogArchive(archive));
    });
  };
}
