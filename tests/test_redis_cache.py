"""The Redis cache backend (waardevol/cache.py): one Redis client per connection pool, shared by
every call and every thread, instead of one made for each call as Django's backend does.

Runs against REDIS_URL when it is set (CI's PostgreSQL run), else against a Redis server it
starts itself (as tests/test_app_servers.py does)."""

import os
import threading

import pytest
from django.test import SimpleTestCase

from tests.test_app_servers import RedisServer
from waardevol.cache import SharedClientRedisCache


def redis_url_or_server():
    url = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL")
    if url:
        return url, None
    try:
        server = RedisServer()
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise
        raise pytest.skip.Exception(
            "neither REDIS_URL nor redis-server: make test installs it") from None
    return server.url, server


class SharedClientRedisCacheTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.url, cls.server = redis_url_or_server()

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
        super().tearDownClass()

    def cache(self, location=None):
        cache = SharedClientRedisCache(location or self.url,
                                       {"KEY_PREFIX": f"test-shared-client-{id(self)}"})
        self.addCleanup(cache.clear)
        return cache

    def test_every_call_uses_the_same_client(self):
        client = self.cache()._cache
        self.assertIs(client.get_client(), client.get_client())
        self.assertIs(client.get_client(write=True), client.get_client("some-key", write=True))
        # One server: reads and writes share its pool and its client, as in Django's backend.
        self.assertIs(client.get_client(), client.get_client(write=True))
        self.assertIs(client.get_client().connection_pool, client._pools[0])

    def test_with_replicas_reads_and_writes_keep_their_own_servers(self):
        # As Django's: writes go to the first server, reads to another one. No command is sent.
        client = self.cache(f"{self.url};redis://127.0.0.1:1/0")._cache
        writer, reader = client.get_client(write=True), client.get_client()
        self.assertIsNot(writer, reader)
        self.assertIs(reader, client.get_client())
        self.assertEqual(writer.connection_pool.connection_kwargs["port"],
                         client._pools[0].connection_kwargs["port"])
        self.assertEqual(reader.connection_pool.connection_kwargs["port"], 1)

    def test_threads_sharing_the_client_each_get_their_own_answers(self):
        cache = self.cache()
        failures = []

        def work(number):
            for round_ in range(200):
                key = f"thread-{number}-{round_ % 7}"
                value = {"thread": number, "round": round_, "text": "x" * (number * 50)}
                cache.set(key, value, 60)
                got = cache.get(key)
                if got != value:
                    failures.append((key, got))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(failures, [])
        self.assertEqual(cache.get_many([f"thread-3-{n}" for n in range(7)])["thread-3-0"]["thread"], 3)
        self.assertEqual(len(cache._cache._clients), 1)
