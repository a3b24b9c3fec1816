import { z } from '@hono/zod-openapi'
import { isCountryCode } from '../../lib/countries'

export const AddressIdSchema = z
  .string()
  .regex(/^adr_[0-9a-z]{26}$/, 'Not an address id')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'adr_8m1z4b2c3d4e5f6g7h8j9k0m1n' })

const text = (max: number) => z.string().trim().min(1).max(max)

/** Fields of a postal address, shared by saved addresses and inline checkout addresses. */
export const addressFields = {
  name: text(200).openapi({ example: 'Ada Lovelace' }),
  line1: text(200).openapi({ example: '12 St James’s Square' }),
  line2: text(200).nullable().optional(),
  city: text(100).openapi({ example: 'London' }),
  region: text(100).nullable().optional(),
  postalCode: text(20).openapi({ example: 'SW1Y 4JH' }),
  country: z
    .string()
    .transform((value) => value.trim().toUpperCase())
    .refine(isCountryCode, 'Not an ISO 3166-1 alpha-2 country code (e.g. "GB")')
    .openapi({ description: 'ISO 3166-1 alpha-2', example: 'GB' }),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, 'Digits, spaces, dashes and an optional leading +')
    .nullable()
    .optional(),
}

export const AddressInputSchema = z.strictObject(addressFields).openapi('AddressInput')

export const AddressUpdateSchema = z
  .strictObject(addressFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change')
  .openapi('AddressUpdate')

export const PostalAddressSchema = z
  .object({
    name: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    region: z.string().nullable(),
    postalCode: z.string(),
    country: z.string(),
    phone: z.string().nullable(),
  })
  .openapi('PostalAddress')

export const AddressSchema = PostalAddressSchema.extend({
  id: z.string(),
  createdAt: z.string().openapi({ format: 'date-time' }),
  updatedAt: z.string().openapi({ format: 'date-time' }),
}).openapi('Address')

export const AddressListSchema = z.object({ data: z.array(AddressSchema) }).openapi('AddressList')

export type AddressInput = z.output<typeof AddressInputSchema>
export type AddressUpdate = z.output<typeof AddressUpdateSchema>
export type PostalAddress = z.output<typeof PostalAddressSchema>
export type Address = z.output<typeof AddressSchema>
